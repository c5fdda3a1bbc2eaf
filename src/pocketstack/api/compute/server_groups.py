"""/os-server-groups: create, list, show and delete server groups.

Before microversion 2.64 a group has ``policies`` (a list of one) and ``metadata``; from
2.64 ``policy`` and ``rules``. The soft policies exist from 2.15; ``project_id`` and
``user_id`` are shown from 2.13.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request
from fastapi.responses import Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.query import reject_unknown
from pocketstack.api.compute.server_requests import NAME_PATTERN, invalid
from pocketstack.api.compute.server_requests import reject_unknown as reject_unknown_keys
from pocketstack.db.models.compute import ServerGroup
from pocketstack.errors import BadRequest
from pocketstack.services import listing
from pocketstack.services.compute import server_groups as groups

router = APIRouter(prefix="/v2.1/os-server-groups", tags=["server groups"])

QUERY_PARAMS = {"all_projects", "limit", "offset"}
SOFT_FROM, OWNER_FROM, POLICY_FROM = "2.15", "2.13", "2.64"


def group_view(group: ServerGroup, members: list[str], version: Version) -> dict:
    body = {"id": group.id, "name": group.name, "members": members}
    if version.at_least(POLICY_FROM):
        body.update(policy=group.policy, rules=dict(group.rules or {}))
    else:
        body.update(policies=[group.policy], metadata={})
    if version.at_least(OWNER_FROM):
        body.update(project_id=group.project_id, user_id=group.user_id)
    return body


def _allowed_policies(version: Version) -> tuple[str, ...]:
    if version.at_least(SOFT_FROM):
        return groups.POLICIES
    return groups.AFFINITY, groups.ANTI_AFFINITY


def parse_create(body: dict, version: Version) -> tuple[str, str, dict]:
    """(name, policy, rules) of a create body, checked as Nova's schema checks it."""
    given = body.get("server_group") if isinstance(body, dict) else None
    if not isinstance(given, dict) or len(body) != 1:
        raise BadRequest("Invalid input for field/attribute server_group. 'server_group' is a "
                         "required property and must be an object.")
    keys = {"name", "policy", "rules"} if version.at_least(POLICY_FROM) else {"name", "policies"}
    reject_unknown_keys(given, keys)
    name = given.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= 255 or not NAME_PATTERN.match(name):
        raise invalid("name", name, "A name must be 1 to 255 characters with no leading or "
                                    "trailing whitespace.")
    policy = _policy(given, version)
    rules = given.get("rules", {})
    if not isinstance(rules, dict):
        raise invalid("rules", rules, "rules must be an object.")
    return name, policy, rules


def _policy(given: dict, version: Version) -> str:
    if version.at_least(POLICY_FROM):
        policy = given.get("policy")
    else:
        policies = given.get("policies")
        if not isinstance(policies, list) or len(policies) != 1:
            raise invalid("policies", policies, "policies must be a list of one policy.")
        policy = policies[0]
    allowed = _allowed_policies(version)
    if policy not in allowed:
        raise invalid("policy", policy, f"It must be one of {', '.join(allowed)}.")
    return policy


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in ("0", "false", "no", "off", "n", "f")


def _offset(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not value.isdigit():
        raise invalid("offset", value, "offset must be an integer of 0 or more.")
    return int(value)


@router.post("")
def create_server_group(cloud: CloudDep, context: Caller, version: Microversion,
                        body: Annotated[dict, Body()]):
    name, policy, rules = parse_create(body, version)
    with cloud.db.session() as session:
        group = groups.create_group(session, context, name, policy, rules)
        return {"server_group": group_view(group, [], version)}


@router.get("")
def list_server_groups(request: Request, cloud: CloudDep, context: Caller,
                       version: Microversion, all_projects: str | None = None,
                       limit: str | None = None, offset: str | None = None):
    reject_unknown(request, version, QUERY_PARAMS)
    with cloud.db.session() as session:
        found = groups.list_groups(session, context, all_projects=_truthy(all_projects),
                                   limit=listing.parse_limit(limit), offset=_offset(offset))
        members = groups.members(session, [group.id for group in found])
        return {"server_groups": [group_view(group, members[group.id], version)
                                  for group in found]}


@router.get("/{group_id}")
def show_server_group(cloud: CloudDep, context: Caller, version: Microversion, group_id: str):
    with cloud.db.session() as session:
        group = groups.get_group(session, context, group_id)
        members = groups.members(session, [group.id])[group.id]
        return {"server_group": group_view(group, members, version)}


@router.delete("/{group_id}")
def delete_server_group(cloud: CloudDep, context: Caller, group_id: str):
    with cloud.db.session() as session:
        groups.delete_group(session, context, group_id)
    return Response(status_code=204)
