"""/lbaas/loadbalancers, their stats, status tree and failover."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.loadbalancer import views
from pocketstack.api.network.resource import Strict
from pocketstack.db.models.loadbalancer import LoadBalancer
from pocketstack.drivers.loadbalancer.base import LoadBalancerStats
from pocketstack.errors import BadRequest
from pocketstack.services.loadbalancer import common, shapes
from pocketstack.services.loadbalancer import loadbalancers as service

router = APIRouter(prefix="/lbaas/loadbalancers")


class LoadBalancerUpdate(Strict):
    name: str | None = None
    description: str | None = None
    admin_state_up: bool = True
    tags: list[str] = Field(default_factory=list)
    vip_qos_policy_id: str | None = None
    vip_sg_ids: list[str] | None = None


class LoadBalancerCreate(LoadBalancerUpdate):
    vip_address: str | None = None
    vip_port_id: str | None = None
    vip_subnet_id: str | None = None
    vip_network_id: str | None = None
    project_id: str | None = None
    tenant_id: str | None = None
    provider: str | None = None
    flavor_id: str | None = None
    availability_zone: str | None = None
    additional_vips: list[dict] | None = None
    listeners: list[dict] | None = None
    pools: list[dict] | None = None


class CreateBody(Strict):
    loadbalancer: LoadBalancerCreate


class UpdateBody(Strict):
    loadbalancer: LoadBalancerUpdate


def _refuse_unsupported(fields: dict) -> dict:
    for name in ("additional_vips", "vip_sg_ids", "listeners", "pools"):
        if fields.pop(name, None):
            raise BadRequest(f"{name} is not supported by provider {common.PROVIDER}; create "
                             f"the load balancer, then its listeners and pools.")
    return fields


def _render(session, row) -> dict:
    return shapes.loadbalancers(session, [row])[0]


@router.get("")
def list_loadbalancers(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        items = shapes.loadbalancers(session, service.list_loadbalancers(session, who))
    return views.page(request, "loadbalancers", items)


@router.post("", status_code=201)
def create_loadbalancer(cloud: CloudDep, who: Caller, body: CreateBody):
    with cloud.db.session() as session:
        row = service.create_loadbalancer(session, who,
                                          _refuse_unsupported(body.loadbalancer.given()))
        item = _render(session, row)
    cloud.wake_agent()
    return {"loadbalancer": item}


@router.get("/{lb_id}")
def show_loadbalancer(request: Request, cloud: CloudDep, who: Caller, lb_id: str):
    with cloud.db.session() as session:
        item = _render(session, common.visible(session, who, LoadBalancer, lb_id))
    return views.one(request, "loadbalancer", item)


@router.put("/{lb_id}")
def update_loadbalancer(cloud: CloudDep, who: Caller, lb_id: str, body: UpdateBody):
    with cloud.db.session() as session:
        changes = _refuse_unsupported(body.loadbalancer.given())
        item = _render(session, service.update_loadbalancer(session, who, lb_id, changes))
    cloud.wake_agent()
    return {"loadbalancer": item}


@router.delete("/{lb_id}", status_code=204)
def delete_loadbalancer(cloud: CloudDep, who: Caller, lb_id: str, cascade: bool = False):
    with cloud.db.session() as session:
        service.delete_loadbalancer(session, who, lb_id, cascade)
    cloud.wake_agent()
    return Response(status_code=204)


@router.get("/{lb_id}/stats")
def loadbalancer_stats(cloud: CloudDep, who: Caller, lb_id: str):
    with cloud.db.session() as session:
        common.visible(session, who, LoadBalancer, lb_id)
    driver = cloud.loadbalancer_driver
    return views.stats(driver.stats(lb_id) if driver is not None else LoadBalancerStats())


@router.get("/{lb_id}/status")
def loadbalancer_status(cloud: CloudDep, who: Caller, lb_id: str):
    with cloud.db.session() as session:
        return views.status_tree(session, common.visible(session, who, LoadBalancer, lb_id))


@router.put("/{lb_id}/failover", status_code=202)
def failover_loadbalancer(cloud: CloudDep, who: Caller, lb_id: str):
    """Start the load balancer afresh on the host (its process is ensured again); admin."""
    who.require_admin()
    with cloud.db.session() as session:
        service.update_loadbalancer(session, who, lb_id, {})
    cloud.wake_agent()
    return Response(status_code=202)
