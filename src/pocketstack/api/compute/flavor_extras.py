"""/flavors/{id}/os-extra_specs, /flavors/{id}/os-flavor-access and the access actions."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Body
from fastapi.responses import Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.errors import BadRequest
from pocketstack.services.compute import flavor_access

router = APIRouter(prefix="/v2.1/flavors/{flavor_id}", tags=["flavors"])

SPEC_KEY = re.compile(r"^[a-zA-Z0-9-_:. ]{1,255}$")
ACCESS_ACTIONS = {"addTenantAccess": flavor_access.add_access,
                  "removeTenantAccess": flavor_access.remove_access}


def _spec_value(key: str, value) -> str:
    if not SPEC_KEY.match(key):
        raise BadRequest(f"Invalid input for field/attribute extra_specs. Key '{key}' must be "
                         "1-255 letters, digits, spaces or '-_:.'.")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest(f"Invalid input for field/attribute {key}. Value: {value!r}. "
                         "It must be a string or a number.")
    text = str(value)
    if len(text) > 255:
        raise BadRequest(f"extra_specs value of {key} must be at most 255 characters.")
    return text


def parse_specs(specs) -> dict[str, str]:
    """Nova's extra-spec map: keys by pattern, values strings or numbers kept as strings."""
    if not isinstance(specs, dict):
        raise BadRequest("Invalid input for field/attribute extra_specs: it must be an object.")
    return {key: _spec_value(key, value) for key, value in specs.items()}


def _access_view(flavor_id: str, projects: list[str]) -> dict:
    return {"flavor_access": [{"flavor_id": flavor_id, "tenant_id": p} for p in projects]}


@router.get("/os-extra_specs")
def list_extra_specs(flavor_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return {"extra_specs": flavor_access.extra_specs(session, who, flavor_id)}


@router.post("/os-extra_specs")
def create_extra_specs(flavor_id: str, body: Annotated[dict, Body()], cloud: CloudDep,
                       who: Caller):
    if set(body) != {"extra_specs"}:
        raise BadRequest("Invalid input for field/attribute: the body must be exactly "
                         "{\"extra_specs\": {...}}.")
    specs = parse_specs(body["extra_specs"])
    with cloud.db.session() as session:
        flavor_access.set_extra_specs(session, who, flavor_id, specs)
    return body


@router.get("/os-extra_specs/{key}")
def show_extra_spec(flavor_id: str, key: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return {key: flavor_access.extra_spec(session, who, flavor_id, key)}


@router.put("/os-extra_specs/{key}")
def update_extra_spec(flavor_id: str, key: str, body: Annotated[dict, Body()],
                      cloud: CloudDep, who: Caller):
    if len(body) > 1:
        raise BadRequest("Request body contains too many items")
    if key not in body:
        raise BadRequest("Request body and URI mismatch")
    specs = parse_specs(body)
    with cloud.db.session() as session:
        flavor_access.set_extra_specs(session, who, flavor_id, specs)
    return body


@router.delete("/os-extra_specs/{key}")
def delete_extra_spec(flavor_id: str, key: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        flavor_access.delete_extra_spec(session, who, flavor_id, key)
    return Response(status_code=200)


@router.get("/os-flavor-access")
def list_flavor_access(flavor_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return _access_view(flavor_id, flavor_access.access_list(session, who, flavor_id))


def parse_access_action(body: dict) -> tuple[str, str]:
    """The one access action in ``body`` and its project: ``{"addTenantAccess": {"tenant"}}``."""
    if len(body) != 1:
        raise BadRequest("Invalid input: the body must name exactly one action.")
    (action, argument), = body.items()
    if action not in ACCESS_ACTIONS:
        raise BadRequest(f"There is no such action: {action}")
    if not isinstance(argument, dict) or set(argument) != {"tenant"}:
        raise BadRequest(f"Invalid input for field/attribute {action}: it must be "
                         "{\"tenant\": \"<project id>\"}.")
    tenant = argument["tenant"]
    if not isinstance(tenant, str) or not 1 <= len(tenant) <= 255:
        raise BadRequest(f"Invalid input for field/attribute tenant. Value: {tenant!r}.")
    return action, tenant


@router.post("/action")
def flavor_action(flavor_id: str, body: Annotated[dict, Body()], cloud: CloudDep, who: Caller):
    action, tenant = parse_access_action(body)
    with cloud.db.session() as session:
        projects = ACCESS_ACTIONS[action](session, who, flavor_id, tenant)
    return _access_view(flavor_id, projects)
