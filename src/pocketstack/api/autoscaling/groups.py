"""/v1/groups: create, list, show, change, resize and delete scaling groups."""

from __future__ import annotations

from fastapi import Response

from pocketstack.api.autoscaling.schemas import GroupCreate, GroupUpdate, Resize, changes_of
from pocketstack.api.autoscaling.views import group_view
from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.services import listing
from pocketstack.services.autoscaling import groups

router = APIRouter(prefix="/v1/groups", tags=["groups"])


def _render(session, found: list) -> list[dict]:
    servers = groups.servers_of(session, [group.id for group in found])
    return [group_view(group, servers[group.id]) for group in found]


@router.post("", status_code=201)
def create_group(body: GroupCreate, cloud: CloudDep, context: Caller) -> dict:
    with cloud.db.session() as session:
        group = groups.create_group(session, context, body.group.model_dump())
        view = _render(session, [group])[0]
    cloud.wake_agent()
    return {"group": view}


@router.get("")
def list_groups(cloud: CloudDep, context: Caller, limit: str | None = None,
                marker: str | None = None, all_projects: bool = False) -> dict:
    with cloud.db.session() as session:
        found = groups.list_groups(session, context, all_projects=all_projects, marker=marker,
                                   limit=listing.parse_limit(limit))
        return {"groups": _render(session, found)}


@router.get("/{group_id}")
def show_group(group_id: str, cloud: CloudDep, context: Caller) -> dict:
    with cloud.db.session() as session:
        group = groups.get_group(session, context, group_id)
        return {"group": _render(session, [group])[0]}


@router.put("/{group_id}")
def update_group(group_id: str, body: GroupUpdate, cloud: CloudDep, context: Caller) -> dict:
    changes = changes_of(body)
    with cloud.db.session() as session:
        group = groups.update_group(session, context, group_id, changes)
        view = _render(session, [group])[0]
    cloud.wake_agent()
    return {"group": view}


@router.post("/{group_id}/resize", status_code=202)
def resize_group(group_id: str, body: Resize, cloud: CloudDep, context: Caller) -> dict:
    with cloud.db.session() as session:
        group = groups.resize_group(session, context, group_id, body.desired_size)
        view = _render(session, [group])[0]
    cloud.wake_agent()
    return {"group": view}


@router.delete("/{group_id}", status_code=204)
def delete_group(group_id: str, cloud: CloudDep, context: Caller) -> Response:
    with cloud.db.session() as session:
        groups.delete_group(session, context, group_id)
    cloud.wake_agent()
    return Response(status_code=204)
