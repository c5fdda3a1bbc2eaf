"""/v2.0/subnets"""

from __future__ import annotations

from typing import Literal

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.network import listing, views
from pocketstack.api.network.resource import Strict, one
from pocketstack.db.models.network import Subnet
from pocketstack.services.network import common
from pocketstack.services.network import subnets as service

router = APIRouter(prefix="/v2.0/subnets")


class Pool(Strict):
    start: str
    end: str


class Route(Strict):
    destination: str
    nexthop: str


class SubnetUpdate(Strict):
    name: str = ""
    description: str = ""
    gateway_ip: str | None = None
    allocation_pools: list[Pool] = Field(default_factory=list)
    dns_nameservers: list[str] = Field(default_factory=list)
    host_routes: list[Route] = Field(default_factory=list)
    enable_dhcp: bool = True


class SubnetCreate(SubnetUpdate):
    network_id: str
    cidr: str | None = None
    ip_version: Literal[4, 6] = 4
    project_id: str = ""
    tenant_id: str = ""
    tags: list[str] = Field(default_factory=list)
    subnetpool_id: None = None
    ipv6_ra_mode: None = None
    ipv6_address_mode: None = None

    def given(self) -> dict:
        fields = super().given()
        for unsupported in ("subnetpool_id", "ipv6_ra_mode", "ipv6_address_mode"):
            fields.pop(unsupported, None)
        return fields


class CreateBody(Strict):
    subnet: SubnetCreate


class UpdateBody(Strict):
    subnet: SubnetUpdate


@router.get("")
def list_subnets(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = views.subnets(session, service.list_subnets(session, who))
    return listing.respond(request, "subnets", items)


@router.post("", status_code=201)
def create_subnet(cloud: CloudDep, who: Caller, body: CreateBody):
    with cloud.db.session() as session:
        row = service.create_subnet(session, who, body.subnet.given())
        item = views.subnets(session, [row])[0]
    cloud.wake_agent()
    return {"subnet": item}


@router.get("/{subnet_id}")
def show_subnet(request: Request, cloud: CloudDep, who: Caller, subnet_id: str):
    with cloud.db.session() as session:
        item = views.subnets(session, [common.visible(session, who, Subnet, subnet_id)])[0]
    return one(request, "subnet", item)


@router.put("/{subnet_id}")
def update_subnet(cloud: CloudDep, who: Caller, subnet_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        row = service.update_subnet(session, who, subnet_id, body.subnet.given())
        item = views.subnets(session, [row])[0]
    return {"subnet": item}


@router.delete("/{subnet_id}", status_code=204)
def delete_subnet(cloud: CloudDep, who: Caller, subnet_id: str):
    with cloud.db.session() as session:
        service.delete_subnet(session, who, subnet_id)
    cloud.wake_agent()
    return Response(status_code=204)
