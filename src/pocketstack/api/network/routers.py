"""/v2.0/routers, with add_router_interface and remove_router_interface"""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.network import listing, views
from pocketstack.api.network.resource import Strict, one
from pocketstack.db.models.network import Router
from pocketstack.services.network import common
from pocketstack.services.network import routers as service

router = APIRouter(prefix="/v2.0/routers")


class ExternalFixedIp(Strict):
    subnet_id: str | None = None
    ip_address: str | None = None


class GatewayInfo(Strict):
    network_id: str | None = None
    enable_snat: bool = True
    external_fixed_ips: list[ExternalFixedIp] = Field(default_factory=list)

    def given(self) -> dict:
        fields = super().given()
        if "external_fixed_ips" in fields:
            fields["external_fixed_ips"] = [{k: v for k, v in ip.items() if v}
                                            for ip in fields["external_fixed_ips"]]
        return fields


class RouterUpdate(Strict):
    name: str = ""
    description: str = ""
    admin_state_up: bool = True
    external_gateway_info: GatewayInfo | None = None

    def given(self) -> dict:
        fields = super().given()
        if self.external_gateway_info is not None:
            fields["external_gateway_info"] = self.external_gateway_info.given()
        return fields


class RouterCreate(RouterUpdate):
    project_id: str = ""
    tenant_id: str = ""
    tags: list[str] = Field(default_factory=list)
    distributed: bool = False
    ha: bool = False
    availability_zone_hints: list[str] = Field(default_factory=list)

    def given(self) -> dict:
        fields = super().given()
        for ignored in ("distributed", "ha", "availability_zone_hints"):
            fields.pop(ignored, None)
        return fields


class CreateBody(Strict):
    router: RouterCreate


class UpdateBody(Strict):
    router: RouterUpdate


class InterfaceBody(Strict):
    subnet_id: str | None = None
    port_id: str | None = None


@router.get("")
def list_routers(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = views.routers(session, service.list_routers(session, who))
    return listing.respond(request, "routers", items)


@router.post("", status_code=201)
def create_router(cloud: CloudDep, who: Caller, body: CreateBody):
    with cloud.db.session() as session:
        row = service.create_router(session, who, body.router.given())
        item = views.routers(session, [row])[0]
    cloud.wake_agent()
    return {"router": item}


@router.get("/{router_id}")
def show_router(request: Request, cloud: CloudDep, who: Caller, router_id: str):
    with cloud.db.session() as session:
        item = views.routers(session, [common.visible(session, who, Router, router_id)])[0]
    return one(request, "router", item)


@router.put("/{router_id}")
def update_router(cloud: CloudDep, who: Caller, router_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        row = service.update_router(session, who, router_id, body.router.given())
        item = views.routers(session, [row])[0]
    cloud.wake_agent()
    return {"router": item}


@router.delete("/{router_id}", status_code=204)
def delete_router(cloud: CloudDep, who: Caller, router_id: str):
    with cloud.db.session() as session:
        service.delete_router(session, who, router_id)
    cloud.wake_agent()
    return Response(status_code=204)


def _interface(row, port, subnet_ids: list[str]) -> dict:
    return {"id": row.id, "tenant_id": row.project_id, "project_id": row.project_id,
            "port_id": port.id, "network_id": port.network_id,
            "subnet_id": subnet_ids[0] if subnet_ids else None, "subnet_ids": subnet_ids,
            "tags": []}


@router.put("/{router_id}/add_router_interface")
def add_router_interface(cloud: CloudDep, who: Caller, router_id: str, body: InterfaceBody):
    with cloud.db.session() as session:
        row, port = service.add_interface(session, who, router_id, body.subnet_id, body.port_id)
        subnet_ids = [a.subnet_id for a in service.ports.fixed_ips(session, [port.id])[port.id]]
        item = _interface(row, port, subnet_ids)
    cloud.wake_agent()
    return item


@router.put("/{router_id}/remove_router_interface")
def remove_router_interface(cloud: CloudDep, who: Caller, router_id: str, body: InterfaceBody):
    with cloud.db.session() as session:
        row, port, subnet_ids = service.remove_interface(session, who, router_id,
                                                         body.subnet_id, body.port_id)
        item = _interface(row, port, subnet_ids)
    cloud.wake_agent()
    return item
