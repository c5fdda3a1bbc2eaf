"""/lbaas/healthmonitors"""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.loadbalancer import views
from pocketstack.api.network.resource import Strict
from pocketstack.db.models.loadbalancer import HealthMonitor
from pocketstack.services.loadbalancer import common, shapes
from pocketstack.services.loadbalancer import healthmonitors as service

router = APIRouter(prefix="/lbaas/healthmonitors")


class MonitorUpdate(Strict):
    name: str | None = None
    admin_state_up: bool = True
    delay: int | None = None
    timeout: int | None = None
    max_retries: int | None = None
    max_retries_down: int | None = None
    http_method: str | None = None
    url_path: str | None = None
    expected_codes: str | None = None
    http_version: float | None = None
    domain_name: str | None = None
    tags: list[str] = Field(default_factory=list)

    def given(self) -> dict:
        fields = super().given()
        if fields.get("http_version") is not None:
            fields["http_version"] = str(fields["http_version"])
        return fields


class MonitorCreate(MonitorUpdate):
    pool_id: str
    type: str
    delay: int
    timeout: int
    max_retries: int
    project_id: str | None = None
    tenant_id: str | None = None


class CreateBody(Strict):
    healthmonitor: MonitorCreate


class UpdateBody(Strict):
    healthmonitor: MonitorUpdate


def _render(session, row) -> dict:
    return shapes.healthmonitors(session, [row])[0]


@router.get("")
def list_healthmonitors(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = shapes.healthmonitors(session, service.list_healthmonitors(session, who))
    return views.page(request, "healthmonitors", items)


@router.post("", status_code=201)
def create_healthmonitor(cloud: CloudDep, who: Caller, body: CreateBody):
    fields = body.healthmonitor.given()
    fields.pop("project_id", None)
    fields.pop("tenant_id", None)
    with cloud.db.session() as session:
        item = _render(session, service.create_healthmonitor(session, who, fields))
    cloud.wake_agent()
    return {"healthmonitor": item}


@router.get("/{monitor_id}")
def show_healthmonitor(request: Request, cloud: CloudDep, who: Caller, monitor_id: str):
    with cloud.db.session() as session:
        item = _render(session, common.visible(session, who, HealthMonitor, monitor_id))
    return views.one(request, "healthmonitor", item)


@router.put("/{monitor_id}")
def update_healthmonitor(cloud: CloudDep, who: Caller, monitor_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        row = service.update_healthmonitor(session, who, monitor_id,
                                           body.healthmonitor.given())
        item = _render(session, row)
    cloud.wake_agent()
    return {"healthmonitor": item}


@router.delete("/{monitor_id}", status_code=204)
def delete_healthmonitor(cloud: CloudDep, who: Caller, monitor_id: str):
    with cloud.db.session() as session:
        service.delete_healthmonitor(session, who, monitor_id)
    cloud.wake_agent()
    return Response(status_code=204)
