"""/os-quota-sets/{project_id}: show, defaults, detail (with usage), update and reset."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Body, Request
from fastapi.responses import Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.query import reject_unknown
from pocketstack.errors import BadRequest
from pocketstack.services.compute import quotas

router = APIRouter(prefix="/v2.1/os-quota-sets/{project_id}", tags=["quotas"])

NETWORK_QUOTAS = {"fixed_ips", "floating_ips", "security_group_rules", "security_groups"}
FILE_QUOTAS = {"injected_files", "injected_file_content_bytes", "injected_file_path_bytes"}
INTEGER = re.compile(r"^-?[0-9]+$")
TRUE_WORDS = {"1", "t", "true", "on", "y", "yes"}
FALSE_WORDS = {"0", "f", "false", "off", "n", "no"}


def hidden_quotas(version: Version) -> set[str]:
    """Quotas Nova stopped showing: network proxies at 2.36, injected files at 2.57."""
    hidden = set()
    if version.at_least("2.36"):
        hidden |= NETWORK_QUOTAS
    if version.at_least("2.57"):
        hidden |= FILE_QUOTAS
    return hidden


def quota_set(values: dict, version: Version, project_id: str | None = None) -> dict:
    shown = {name: value for name, value in values.items() if name not in hidden_quotas(version)}
    if project_id is not None:
        shown = {"id": project_id, **shown}
    return {"quota_set": shown}


def _limit(name: str, value) -> int:
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and INTEGER.match(value))
    ):
        raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value!r}. "
                         "It must be an integer.")
    number = int(value)
    if not -1 <= number <= quotas.MAX_LIMIT:
        raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}. "
                         f"It must be between -1 and {quotas.MAX_LIMIT}.")
    return number


def _force(value) -> bool:
    word = str(value).strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise BadRequest(f"Invalid input for field/attribute force. Value: {value!r}.")
    return word in TRUE_WORDS


def parse_update(body: dict, version: Version) -> tuple[dict[str, int], bool]:
    """The limits a PUT sets and its ``force`` flag; unknown or retired names are 400."""
    if set(body) != {"quota_set"} or not isinstance(body["quota_set"], dict):
        raise BadRequest("Invalid input: the body must be {\"quota_set\": {...}}.")
    given = dict(body["quota_set"])
    force = _force(given.pop("force")) if "force" in given else False
    allowed = set(quotas.NAMES) - hidden_quotas(version)
    unexpected = sorted(set(given) - allowed)
    if unexpected:
        raise BadRequest("Invalid input for field/attribute quota_set. Additional properties "
                         f"are not allowed ({', '.join(map(repr, unexpected))} unexpected)")
    return {name: _limit(name, value) for name, value in given.items()}, force


@router.get("")
def show_quota_set(project_id: str, request: Request, cloud: CloudDep, who: Caller,
                   version: Microversion, user_id: str | None = None):
    reject_unknown(request, version, {"user_id"})
    with cloud.db.session() as session:
        quotas.require_project(session, who, project_id, "show")
        return quota_set(quotas.limits(session, project_id), version, project_id)


@router.get("/defaults")
def show_defaults(project_id: str, cloud: CloudDep, _who: Caller, version: Microversion):
    with cloud.db.session() as session:
        quotas.require_known(session, project_id)
        return quota_set(quotas.defaults(session), version, project_id)


@router.get("/detail")
def show_detail(project_id: str, request: Request, cloud: CloudDep, who: Caller,
                version: Microversion, user_id: str | None = None):
    reject_unknown(request, version, {"user_id"})
    with cloud.db.session() as session:
        quotas.require_project(session, who, project_id, "detail")
        return quota_set(quotas.details(session, project_id), version, project_id)


@router.put("")
def update_quota_set(project_id: str, body: Annotated[dict, Body()], request: Request,
                     cloud: CloudDep, who: Caller, version: Microversion,
                     user_id: str | None = None):
    reject_unknown(request, version, {"user_id"})
    values, force = parse_update(body, version)
    with cloud.db.session() as session:
        quotas.set_limits(session, who, project_id, values, force=force)
        return quota_set(quotas.limits(session, project_id), version)


@router.delete("", status_code=202)
def reset_quota_set(project_id: str, request: Request, cloud: CloudDep, who: Caller,
                    version: Microversion, user_id: str | None = None):
    reject_unknown(request, version, {"user_id"})
    with cloud.db.session() as session:
        quotas.reset(session, who, project_id)
    return Response(status_code=202)
