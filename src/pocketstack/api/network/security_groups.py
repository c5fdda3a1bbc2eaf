"""/v2.0/security-groups"""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.network import listing, views
from pocketstack.api.network.resource import Strict, one
from pocketstack.db.models.network import SecurityGroup
from pocketstack.services.network import common
from pocketstack.services.network import security_groups as service

router = APIRouter(prefix="/v2.0/security-groups")


class GroupUpdate(Strict):
    name: str = ""
    description: str = ""


class GroupCreate(GroupUpdate):
    stateful: bool = True
    project_id: str = ""
    tenant_id: str = ""
    tags: list[str] = Field(default_factory=list)


class CreateBody(Strict):
    security_group: GroupCreate


class UpdateBody(Strict):
    security_group: GroupUpdate


@router.get("")
def list_groups(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = views.security_groups(session, service.list_groups(session, who))
    return listing.respond(request, "security_groups", items)


@router.post("", status_code=201)
def create_group(cloud: CloudDep, who: Caller, body: CreateBody):
    with cloud.db.session() as session:
        row = service.create_group(session, who, body.security_group.given())
        item = views.security_groups(session, [row])[0]
    return {"security_group": item}


@router.get("/{group_id}")
def show_group(request: Request, cloud: CloudDep, who: Caller, group_id: str):
    with cloud.db.session() as session:
        row = common.visible(session, who, SecurityGroup, group_id)
        item = views.security_groups(session, [row])[0]
    return one(request, "security_group", item)


@router.put("/{group_id}")
def update_group(cloud: CloudDep, who: Caller, group_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        row = service.update_group(session, who, group_id, body.security_group.given())
        item = views.security_groups(session, [row])[0]
    return {"security_group": item}


@router.delete("/{group_id}", status_code=204)
def delete_group(cloud: CloudDep, who: Caller, group_id: str):
    with cloud.db.session() as session:
        service.delete_group(session, who, group_id)
    cloud.wake_agent()
    return Response(status_code=204)
