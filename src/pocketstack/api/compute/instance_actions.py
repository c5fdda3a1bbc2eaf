"""``GET /servers/{id}/os-instance-actions[/{request_id}]`` (``openstack server event list``).

Also ``Acting``: the caller stamped with the request's id, for the routes that record an
action (the token's context is cached across requests, so the id is added per request).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import Depends, Request

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute import query
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.server_filters import timestamp
from pocketstack.db.base import isotime
from pocketstack.db.models.compute import InstanceAction
from pocketstack.services.compute import instance_actions as actions
from pocketstack.services.context import RequestContext
from pocketstack.services.listing import parse_limit

router = APIRouter(prefix="/v2.1/servers")


async def acting_caller(request: Request, context: Caller) -> RequestContext:
    request_id = getattr(request.state, "request_id", "")
    return dataclasses.replace(context, request_id=request_id)


Acting = Annotated[RequestContext, Depends(acting_caller)]

PAGING = {"limit", "marker", "changes-since", "changes-before"}


def _query(request: Request, version: Version) -> actions.ActionQuery:
    if not version.at_least("2.58"):
        return actions.ActionQuery()
    query.reject_unknown(request, version, PAGING)
    params = request.query_params
    return actions.ActionQuery(
        limit=parse_limit(params.get("limit")), marker=params.get("marker"),
        changes_since=timestamp(params, "changes-since"),
        changes_before=(timestamp(params, "changes-before") if version.at_least("2.66")
                        else None))


def action_view(action: InstanceAction, version: Version) -> dict:
    body = {
        "action": action.action, "instance_uuid": action.server_id,
        "message": action.message, "project_id": action.project_id,
        "request_id": action.request_id, "start_time": _time(action.created_at),
        "user_id": action.user_id,
    }
    if version.at_least("2.58"):
        body["updated_at"] = _time(action.updated_at)
    return body


def _time(value) -> str | None:
    """Nova prints action times with microseconds and no zone; seconds suffice here."""
    text = isotime(value)
    return text[:-1] if text else None


def events_view(action: InstanceAction, version: Version, admin: bool) -> list[dict]:
    if action.event is None:
        return []
    event = {"event": action.event, "start_time": _time(action.created_at),
             "finish_time": _time(action.finished_at), "result": action.result}
    if admin:
        event["traceback"] = None
    if version.at_least("2.62"):
        event["hostId"] = ""
        if admin:
            event["host"] = ""
    if version.at_least("2.84"):
        event["details"] = None
    return [event]


@router.get("/{server_id}/os-instance-actions")
def list_instance_actions(cloud: CloudDep, context: Caller, version: Microversion,
                          request: Request, server_id: str) -> dict:
    paging = _query(request, version)
    with cloud.db.session() as session:
        found = actions.list_actions(session, context, server_id,
                                     deleted_too=version.at_least("2.21"), query=paging)
        return {"instanceActions": [action_view(action, version) for action in found]}


@router.get("/{server_id}/os-instance-actions/{request_id}")
def show_instance_action(cloud: CloudDep, context: Caller, version: Microversion,
                         server_id: str, request_id: str) -> dict:
    with cloud.db.session() as session:
        action = actions.get_action(session, context, server_id, request_id,
                                    deleted_too=version.at_least("2.21"))
        body = action_view(action, version)
        if context.is_admin or version.at_least("2.51"):  # events were admin-only before
            body["events"] = events_view(action, version, context.is_admin)
    return {"instanceAction": body}
