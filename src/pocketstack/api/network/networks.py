"""/v2.0/networks"""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.network import listing, views
from pocketstack.api.network.resource import Strict, one
from pocketstack.db.models.network import Network
from pocketstack.services.network import common
from pocketstack.services.network import networks as service

router = APIRouter(prefix="/v2.0/networks")


class NetworkUpdate(Strict):
    name: str = ""
    description: str = ""
    admin_state_up: bool = True
    shared: bool = False
    external: bool = Field(False, alias="router:external")
    mtu: int = Field(1500, ge=68, le=9000)
    port_security_enabled: bool = True


class NetworkCreate(NetworkUpdate):
    project_id: str = ""
    tenant_id: str = ""
    tags: list[str] = Field(default_factory=list)
    availability_zone_hints: list[str] = Field(default_factory=list)

    def given(self) -> dict:
        fields = super().given()
        fields.pop("availability_zone_hints", None)
        return fields


class CreateBody(Strict):
    network: NetworkCreate


class UpdateBody(Strict):
    network: NetworkUpdate


@router.get("")
def list_networks(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = views.networks(session, service.list_networks(session, who))
    return listing.respond(request, "networks", items)


@router.post("", status_code=201)
def create_network(cloud: CloudDep, who: Caller, body: CreateBody):
    with cloud.db.session() as session:
        row = service.create_network(session, who, body.network.given())
        item = views.networks(session, [row])[0]
    cloud.wake_agent()
    return {"network": item}


@router.get("/{network_id}")
def show_network(request: Request, cloud: CloudDep, who: Caller, network_id: str):
    with cloud.db.session() as session:
        item = views.networks(session, [common.visible(session, who, Network, network_id)])[0]
    return one(request, "network", item)


@router.put("/{network_id}")
def update_network(cloud: CloudDep, who: Caller, network_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        row = service.update_network(session, who, network_id, body.network.given())
        item = views.networks(session, [row])[0]
    cloud.wake_agent()
    return {"network": item}


@router.delete("/{network_id}", status_code=204)
def delete_network(cloud: CloudDep, who: Caller, network_id: str):
    with cloud.db.session() as session:
        service.delete_network(session, who, network_id)
    cloud.wake_agent()
    return Response(status_code=204)
