"""``/os-quota-class-sets/{class}``: show and update a quota class (admin only).

Only the ``default`` class has an effect: it is every project's starting limits. Shown
quotas follow Nova's microversions: server group quotas from 2.50, network quotas until
2.49, injected file quotas until 2.56.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.quota_sets import FILE_QUOTAS, NETWORK_QUOTAS, _limit
from pocketstack.errors import BadRequest
from pocketstack.services.compute import quotas

router = APIRouter(prefix="/v2.1/os-quota-class-sets", tags=["quotas"])

GROUP_QUOTAS = {"server_groups", "server_group_members"}


def hidden(version: Version) -> set[str]:
    if not version.at_least("2.50"):
        return set(GROUP_QUOTAS)
    return NETWORK_QUOTAS | (FILE_QUOTAS if version.at_least("2.57") else set())


def _shown(values: dict, version: Version) -> dict:
    left_out = hidden(version)
    return {name: value for name, value in values.items() if name not in left_out}


def parse_update(body: dict, version: Version) -> dict[str, int]:
    given = body.get("quota_class_set") if isinstance(body, dict) and len(body) == 1 else None
    if not isinstance(given, dict):
        raise BadRequest("Invalid input: the body must be {\"quota_class_set\": {...}}.")
    unexpected = sorted(set(given) - (set(quotas.NAMES) - hidden(version)))
    if unexpected:
        raise BadRequest("Invalid input for field/attribute quota_class_set. Additional "
                         f"properties are not allowed ({', '.join(map(repr, unexpected))} "
                         "unexpected)")
    return {name: _limit(name, value) for name, value in given.items()}


def _class_name(name: str) -> str:
    if not 1 <= len(name) <= 255:
        raise BadRequest("A quota class name has 1 to 255 characters.")
    return name


@router.get("/{class_name}")
def show_quota_class_set(class_name: str, cloud: CloudDep, who: Caller,
                         version: Microversion) -> dict:
    who.require_admin()
    with cloud.db.session() as session:
        values = quotas.class_set(session, _class_name(class_name))
    return {"quota_class_set": {"id": class_name, **_shown(values, version)}}


@router.put("/{class_name}")
def update_quota_class_set(class_name: str, body: Annotated[dict, Body()], cloud: CloudDep,
                           who: Caller, version: Microversion) -> dict:
    values = parse_update(body, version)
    with cloud.db.session() as session:
        quotas.set_class(session, who, _class_name(class_name), values)
        return {"quota_class_set": _shown(quotas.class_set(session, class_name), version)}
