"""/lbaas/pools"""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.loadbalancer import views
from pocketstack.api.network.resource import Strict
from pocketstack.db.models.loadbalancer import Pool
from pocketstack.errors import BadRequest
from pocketstack.services.loadbalancer import common, shapes
from pocketstack.services.loadbalancer import pools as service

router = APIRouter(prefix="/lbaas/pools")

TLS_FIELDS = ("tls_container_ref", "ca_tls_container_ref", "crl_container_ref", "tls_ciphers",
              "tls_versions", "alpn_protocols")


class PoolUpdate(Strict):
    name: str | None = None
    description: str | None = None
    admin_state_up: bool = True
    lb_algorithm: str | None = None
    session_persistence: dict | None = None
    tls_enabled: bool = False
    tags: list[str] = Field(default_factory=list)
    tls_container_ref: str | None = None
    ca_tls_container_ref: str | None = None
    crl_container_ref: str | None = None
    tls_ciphers: str | None = None
    tls_versions: list[str] | None = None
    alpn_protocols: list[str] | None = None

    def given(self) -> dict:
        fields = super().given()
        for name in TLS_FIELDS:
            if fields.pop(name, None):
                raise BadRequest(f"{name} is not supported by provider {common.PROVIDER}.")
        return fields


class PoolCreate(PoolUpdate):
    protocol: str
    lb_algorithm: str
    listener_id: str | None = None
    loadbalancer_id: str | None = None
    project_id: str | None = None
    tenant_id: str | None = None


class CreateBody(Strict):
    pool: PoolCreate


class UpdateBody(Strict):
    pool: PoolUpdate


def _render(session, row) -> dict:
    return shapes.pools(session, [row])[0]


@router.get("")
def list_pools(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = shapes.pools(session, service.list_pools(session, who))
    return views.page(request, "pools", items)


@router.post("", status_code=201)
def create_pool(cloud: CloudDep, who: Caller, body: CreateBody):
    fields = body.pool.given()
    fields.pop("project_id", None)
    fields.pop("tenant_id", None)
    with cloud.db.session() as session:
        item = _render(session, service.create_pool(session, who, fields))
    cloud.wake_agent()
    return {"pool": item}


@router.get("/{pool_id}")
def show_pool(request: Request, cloud: CloudDep, who: Caller, pool_id: str):
    with cloud.db.session() as session:
        item = _render(session, common.visible(session, who, Pool, pool_id))
    return views.one(request, "pool", item)


@router.put("/{pool_id}")
def update_pool(cloud: CloudDep, who: Caller, pool_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        item = _render(session, service.update_pool(session, who, pool_id, body.pool.given()))
    cloud.wake_agent()
    return {"pool": item}


@router.delete("/{pool_id}", status_code=204)
def delete_pool(cloud: CloudDep, who: Caller, pool_id: str):
    with cloud.db.session() as session:
        service.delete_pool(session, who, pool_id)
    cloud.wake_agent()
    return Response(status_code=204)
