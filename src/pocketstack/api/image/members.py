"""/v2/images/{id}/members: share an image with other projects; they accept or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body
from fastapi.responses import Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.image.views import member_view
from pocketstack.errors import BadRequest
from pocketstack.services.image import members

router = APIRouter(prefix="/v2/images/{image_id}/members")


def _field(body: dict, key: str):
    if set(body) != {key}:
        raise BadRequest(f"The request body must be {{\"{key}\": ...}} and nothing else.")
    return body[key]


@router.get("")
def list_members(image_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        rows = members.list_members(session, who, image_id)
        return {"members": [member_view(row) for row in rows], "schema": "/v2/schemas/members"}


@router.post("")
def add_member(image_id: str, cloud: CloudDep, who: Caller, body: Annotated[dict, Body()]):
    with cloud.db.session() as session:
        return member_view(members.add_member(session, who, image_id, _field(body, "member")))


@router.get("/{member_id}")
def show_member(image_id: str, member_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return member_view(members.get_member(session, who, image_id, member_id))


@router.put("/{member_id}")
def update_member(image_id: str, member_id: str, cloud: CloudDep, who: Caller,
                  body: Annotated[dict, Body()]):
    status = _field(body, "status")
    with cloud.db.session() as session:
        return member_view(members.set_member_status(session, who, image_id, member_id, status))


@router.delete("/{member_id}", status_code=204)
def remove_member(image_id: str, member_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        members.remove_member(session, who, image_id, member_id)
    return Response(status_code=204)
