"""/v2.0/ports"""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.network import listing, views
from pocketstack.api.network.resource import Strict, one
from pocketstack.db.models.network import Port
from pocketstack.services.network import common
from pocketstack.services.network import ports as service

router = APIRouter(prefix="/v2.0/ports")


class FixedIp(Strict):
    subnet_id: str | None = None
    ip_address: str | None = None


class AddressPair(Strict):
    ip_address: str
    mac_address: str | None = None


class PortUpdate(Strict):
    name: str = ""
    description: str = ""
    admin_state_up: bool = True
    mac_address: str = Field("", pattern=r"^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$")
    fixed_ips: list[FixedIp] = Field(default_factory=list)
    device_id: str = ""
    device_owner: str = ""
    security_groups: list[str] = Field(default_factory=list)
    port_security_enabled: bool = True
    allowed_address_pairs: list[AddressPair] = Field(default_factory=list)
    binding_host_id: str = Field("", alias="binding:host_id")
    vnic_type: str = Field("normal", alias="binding:vnic_type", pattern="^normal$")
    binding_profile: dict = Field({}, alias="binding:profile")

    def given(self) -> dict:
        fields = super().given()
        fields.pop("binding_profile", None)
        if "fixed_ips" in fields:
            fields["fixed_ips"] = [{k: v for k, v in ip.items() if v}
                                   for ip in fields["fixed_ips"]]
        return fields


class PortCreate(PortUpdate):
    network_id: str
    project_id: str = ""
    tenant_id: str = ""
    tags: list[str] = Field(default_factory=list)


class CreateBody(Strict):
    port: PortCreate


class UpdateBody(Strict):
    port: PortUpdate


@router.get("")
def list_ports(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = views.ports(session, service.list_ports(session, who))
    return listing.respond(request, "ports", items)


@router.post("", status_code=201)
def create_port(cloud: CloudDep, who: Caller, body: CreateBody):
    with cloud.db.session() as session:
        row = service.create_port(session, who, body.port.given())
        item = views.ports(session, [row])[0]
    cloud.wake_agent()
    return {"port": item}


@router.get("/{port_id}")
def show_port(request: Request, cloud: CloudDep, who: Caller, port_id: str):
    with cloud.db.session() as session:
        item = views.ports(session, [common.visible(session, who, Port, port_id)])[0]
    return one(request, "port", item)


@router.put("/{port_id}")
def update_port(cloud: CloudDep, who: Caller, port_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        row = service.update_port(session, who, port_id, body.port.given())
        item = views.ports(session, [row])[0]
    cloud.wake_agent()
    return {"port": item}


@router.delete("/{port_id}", status_code=204)
def delete_port(cloud: CloudDep, who: Caller, port_id: str):
    with cloud.db.session() as session:
        service.delete_port(session, who, port_id)
    cloud.wake_agent()
    return Response(status_code=204)
