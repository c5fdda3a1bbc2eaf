"""/v2.0/<collection>/<id>/tags: the standard-attr-tag API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.db.models.network import FloatingIp, Network, Port, Router, SecurityGroup, Subnet
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.network import common

router = APIRouter(prefix="/v2.0/{collection}/{resource_id}/tags")

COLLECTIONS = {"networks": Network, "subnets": Subnet, "ports": Port, "routers": Router,
               "floatingips": FloatingIp, "security-groups": SecurityGroup}


def _owned(session, who, collection: str, resource_id: str, *, write: bool):
    model = COLLECTIONS.get(collection)
    if model is None:
        raise NotFound("The resource could not be found.")
    if write:
        return common.owned(session, who, model, resource_id)
    return common.visible(session, who, model, resource_id)


def _set(row, tags: list[str]) -> None:
    if any(not isinstance(t, str) or not t or len(t) > 255 or "," in t for t in tags):
        raise BadRequest("Invalid input: tags must be non-empty strings without commas.")
    common.revise(row, {"tags": sorted(set(tags))})


@router.get("")
def list_tags(cloud: CloudDep, who: Caller, collection: str, resource_id: str):
    with cloud.db.session() as session:
        return {"tags": list(_owned(session, who, collection, resource_id, write=False).tags)}


@router.put("")
def replace_tags(cloud: CloudDep, who: Caller, collection: str, resource_id: str,
                 body: Annotated[dict, Body()]):
    if not isinstance(body.get("tags"), list):
        raise BadRequest('Invalid body: it must be {"tags": [...]}.')
    with cloud.db.session() as session:
        row = _owned(session, who, collection, resource_id, write=True)
        _set(row, body["tags"])
        return {"tags": list(row.tags)}


@router.delete("", status_code=204)
def clear_tags(cloud: CloudDep, who: Caller, collection: str, resource_id: str):
    with cloud.db.session() as session:
        _set(_owned(session, who, collection, resource_id, write=True), [])
    return Response(status_code=204)


@router.get("/{tag}", status_code=204)
def check_tag(cloud: CloudDep, who: Caller, collection: str, resource_id: str, tag: str):
    with cloud.db.session() as session:
        if tag not in _owned(session, who, collection, resource_id, write=False).tags:
            raise NotFound(f"Tag {tag} could not be found.", neutron_type="TagNotFound")
    return Response(status_code=204)


@router.put("/{tag}", status_code=201)
def add_tag(cloud: CloudDep, who: Caller, collection: str, resource_id: str, tag: str):
    with cloud.db.session() as session:
        row = _owned(session, who, collection, resource_id, write=True)
        _set(row, [*row.tags, tag])
    return Response(status_code=201)


@router.delete("/{tag}", status_code=204)
def remove_tag(cloud: CloudDep, who: Caller, collection: str, resource_id: str, tag: str):
    with cloud.db.session() as session:
        row = _owned(session, who, collection, resource_id, write=True)
        if tag not in row.tags:
            raise NotFound(f"Tag {tag} could not be found.", neutron_type="TagNotFound")
        _set(row, [t for t in row.tags if t != tag])
    return Response(status_code=204)
