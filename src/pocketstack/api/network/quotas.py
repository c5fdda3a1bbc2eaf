"""/v2.0/quotas: limits per project, defaults and usage details."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Response

from pocketstack.api.common import APIRouter, Caller, CloudDep, quota_body
from pocketstack.services.network import quotas as service

router = APIRouter(prefix="/v2.0/quotas")


def _with_owner(project_id: str, values: dict) -> dict:
    return {**values, "project_id": project_id, "tenant_id": project_id}


@router.get("")
def list_quotas(cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        found = service.overridden(session, who)
    return {"quotas": [_with_owner(project_id, values) for project_id, values in found]}


@router.get("/{project_id}/default")
def default_quota(who: Caller, project_id: str):
    return {"quota": service.defaults()}


@router.get("/{project_id}/details")
def quota_details(cloud: CloudDep, who: Caller, project_id: str):
    with cloud.db.session() as session:
        return {"quota": service.details(session, who, project_id)}


@router.get("/{project_id}")
def show_quota(cloud: CloudDep, who: Caller, project_id: str):
    with cloud.db.session() as session:
        return {"quota": service.limits(session, who, project_id)}


@router.put("/{project_id}")
def update_quota(cloud: CloudDep, who: Caller, project_id: str,
                 body: Annotated[dict, Body()]):
    with cloud.db.session() as session:
        return {"quota": service.update(session, who, project_id, quota_body(body))}


@router.delete("/{project_id}", status_code=204)
def reset_quota(cloud: CloudDep, who: Caller, project_id: str):
    with cloud.db.session() as session:
        service.reset(session, who, project_id)
    return Response(status_code=204)
