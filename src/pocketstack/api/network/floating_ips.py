"""/v2.0/floatingips"""

from __future__ import annotations

from fastapi import Request, Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.network import listing, views
from pocketstack.api.network.resource import Strict, one
from pocketstack.db.models.network import FloatingIp
from pocketstack.services.network import common
from pocketstack.services.network import floating_ips as service

router = APIRouter(prefix="/v2.0/floatingips")


class FloatingIpUpdate(Strict):
    port_id: str | None = None
    fixed_ip_address: str | None = None
    description: str = ""


class FloatingIpCreate(FloatingIpUpdate):
    floating_network_id: str
    floating_ip_address: str | None = None
    subnet_id: str | None = None
    project_id: str = ""
    tenant_id: str = ""


class CreateBody(Strict):
    floatingip: FloatingIpCreate


class UpdateBody(Strict):
    floatingip: FloatingIpUpdate


@router.get("")
def list_floating_ips(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = views.floating_ips(session, service.list_floating_ips(session, who))
    return listing.respond(request, "floatingips", items)


@router.post("", status_code=201)
def create_floating_ip(cloud: CloudDep, who: Caller, body: CreateBody):
    with cloud.db.session() as session:
        row = service.create_floating_ip(session, who, body.floatingip.given())
        item = views.floating_ips(session, [row])[0]
    cloud.wake_agent()
    return {"floatingip": item}


@router.get("/{floatingip_id}")
def show_floating_ip(request: Request, cloud: CloudDep, who: Caller, floatingip_id: str):
    with cloud.db.session() as session:
        row = common.visible(session, who, FloatingIp, floatingip_id)
        item = views.floating_ips(session, [row])[0]
    return one(request, "floatingip", item)


@router.put("/{floatingip_id}")
def update_floating_ip(cloud: CloudDep, who: Caller, floatingip_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        row = service.update_floating_ip(session, who, floatingip_id, body.floatingip.given())
        item = views.floating_ips(session, [row])[0]
    cloud.wake_agent()
    return {"floatingip": item}


@router.delete("/{floatingip_id}", status_code=204)
def delete_floating_ip(cloud: CloudDep, who: Caller, floatingip_id: str):
    with cloud.db.session() as session:
        service.delete_floating_ip(session, who, floatingip_id)
    cloud.wake_agent()
    return Response(status_code=204)
