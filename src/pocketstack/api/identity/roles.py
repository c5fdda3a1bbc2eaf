"""/v3/roles."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import BaseModel

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.identity.schemas import RoleCreate, RoleUpdate
from pocketstack.api.identity.views import collection, role_view
from pocketstack.services.identity import roles

router = APIRouter(prefix="/v3/roles")


class RoleCreateBody(BaseModel):
    role: RoleCreate


class RoleUpdateBody(BaseModel):
    role: RoleUpdate


@router.get("")
def list_roles(request: Request, cloud: CloudDep, who: Caller, name: str | None = None,
               domain_id: str | None = None):
    with cloud.db.session() as session:
        found = roles.list_roles(session, who, name=name, domain_id=domain_id)
        items = [role_view(role, cloud.settings) for role in found]
    return collection("roles", items, str(request.url))


@router.post("", status_code=201)
def create_role(body: RoleCreateBody, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return {"role": role_view(roles.create_role(session, who, body.role.values()),
                                  cloud.settings)}


@router.get("/{role_id}")
def show_role(role_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return {"role": role_view(roles.get_role(session, who, role_id), cloud.settings)}


@router.patch("/{role_id}")
def update_role(role_id: str, body: RoleUpdateBody, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        role = roles.update_role(session, who, role_id, body.role.values())
        return {"role": role_view(role, cloud.settings)}


@router.delete("/{role_id}", status_code=204)
def delete_role(role_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        roles.delete_role(session, who, role_id)
    return Response(status_code=204)
