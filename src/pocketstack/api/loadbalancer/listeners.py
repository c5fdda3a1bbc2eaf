"""/lbaas/listeners and their stats."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.loadbalancer import views
from pocketstack.api.network.resource import Strict
from pocketstack.db.models.loadbalancer import Listener
from pocketstack.drivers.loadbalancer.base import ListenerStats
from pocketstack.errors import BadRequest
from pocketstack.services.loadbalancer import common, shapes
from pocketstack.services.loadbalancer import listeners as service

router = APIRouter(prefix="/lbaas/listeners")

# Accepted when empty (the client may send them), refused otherwise: no TLS in this provider.
TLS_FIELDS = ("default_tls_container_ref", "sni_container_refs", "client_ca_tls_container_ref",
              "client_crl_container_ref", "tls_ciphers", "tls_versions", "alpn_protocols",
              "hsts_max_age", "hsts_include_subdomains", "hsts_preload")


class ListenerUpdate(Strict):
    name: str | None = None
    description: str | None = None
    admin_state_up: bool = True
    connection_limit: int | None = None
    default_pool_id: str | None = None
    insert_headers: dict[str, str] | None = None
    timeout_client_data: int | None = None
    timeout_member_connect: int | None = None
    timeout_member_data: int | None = None
    timeout_tcp_inspect: int | None = None
    allowed_cidrs: list[str] | None = None
    tags: list[str] = Field(default_factory=list)
    client_authentication: str | None = None
    default_tls_container_ref: str | None = None
    sni_container_refs: list[str] | None = None
    client_ca_tls_container_ref: str | None = None
    client_crl_container_ref: str | None = None
    tls_ciphers: str | None = None
    tls_versions: list[str] | None = None
    alpn_protocols: list[str] | None = None
    hsts_max_age: int | None = None
    hsts_include_subdomains: bool | None = None
    hsts_preload: bool | None = None

    def given(self) -> dict:
        fields = super().given()
        if fields.pop("client_authentication", None) not in (None, "NONE"):
            raise BadRequest("client_authentication is not supported by this provider.")
        for name in TLS_FIELDS:
            if fields.pop(name, None):
                raise BadRequest(f"{name} is not supported by provider {common.PROVIDER}: "
                                 f"it has no TLS termination; use a TCP listener.")
        return fields


class ListenerCreate(ListenerUpdate):
    loadbalancer_id: str
    protocol: str
    protocol_port: int
    project_id: str | None = None
    tenant_id: str | None = None


class CreateBody(Strict):
    listener: ListenerCreate


class UpdateBody(Strict):
    listener: ListenerUpdate


def _render(session, row) -> dict:
    return shapes.listeners(session, [row])[0]


@router.get("")
def list_listeners(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = shapes.listeners(session, service.list_listeners(session, who))
    return views.page(request, "listeners", items)


@router.post("", status_code=201)
def create_listener(cloud: CloudDep, who: Caller, body: CreateBody):
    fields = body.listener.given()
    fields.pop("project_id", None)
    fields.pop("tenant_id", None)
    with cloud.db.session() as session:
        item = _render(session, service.create_listener(session, who, fields))
    cloud.wake_agent()
    return {"listener": item}


@router.get("/{listener_id}")
def show_listener(request: Request, cloud: CloudDep, who: Caller, listener_id: str):
    with cloud.db.session() as session:
        item = _render(session, common.visible(session, who, Listener, listener_id))
    return views.one(request, "listener", item)


@router.put("/{listener_id}")
def update_listener(cloud: CloudDep, who: Caller, listener_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        row = service.update_listener(session, who, listener_id, body.listener.given())
        item = _render(session, row)
    cloud.wake_agent()
    return {"listener": item}


@router.delete("/{listener_id}", status_code=204)
def delete_listener(cloud: CloudDep, who: Caller, listener_id: str):
    with cloud.db.session() as session:
        service.delete_listener(session, who, listener_id)
    cloud.wake_agent()
    return Response(status_code=204)


@router.get("/{listener_id}/stats")
def listener_stats(cloud: CloudDep, who: Caller, listener_id: str):
    with cloud.db.session() as session:
        lb_id = common.visible(session, who, Listener, listener_id).loadbalancer_id
    driver = cloud.loadbalancer_driver
    found = driver.stats(lb_id).listeners.get(listener_id) if driver is not None else None
    return views.stats(found or ListenerStats())
