"""/lbaas/quotas: limits per project (unlimited unless an admin sets one) and defaults."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Response

from pocketstack.api.common import APIRouter, Caller, CloudDep, quota_body
from pocketstack.services.loadbalancer import quotas as service

router = APIRouter(prefix="/lbaas/quotas")


@router.get("")
def list_quotas(cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        found = service.overridden(session, who)
    return {"quotas": [{**values, "project_id": project} for project, values in found]}


@router.get("/defaults")
def default_quotas(_who: Caller):
    return {"quota": service.defaults()}


@router.get("/{project_id}")
def show_quota(cloud: CloudDep, who: Caller, project_id: str):
    with cloud.db.session() as session:
        return {"quota": service.limits(session, who, project_id)}


@router.put("/{project_id}", status_code=202)
def update_quota(cloud: CloudDep, who: Caller, project_id: str,
                 body: Annotated[dict, Body()]):
    with cloud.db.session() as session:
        return {"quota": service.update(session, who, project_id, quota_body(body))}


@router.delete("/{project_id}", status_code=204)
def reset_quota(cloud: CloudDep, who: Caller, project_id: str):
    with cloud.db.session() as session:
        service.reset(session, who, project_id)
    return Response(status_code=204)
