"""Load balancers: create with a VIP port, update, delete (with ``cascade``: everything
under it). Each write leaves the load balancer PENDING_* for the agent; the caller wakes it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import new_id
from pocketstack.db.models.loadbalancer import HealthMonitor, Listener, LoadBalancer, Member, Pool
from pocketstack.errors import BadRequest
from pocketstack.services.context import RequestContext
from pocketstack.services.loadbalancer import common, vip
from pocketstack.services.loadbalancer.common import OFFLINE, PENDING_CREATE, PENDING_DELETE

UPDATABLE = ("name", "description", "admin_state_up", "tags")


def list_loadbalancers(session: Session, context: RequestContext) -> list[LoadBalancer]:
    query = select(LoadBalancer).order_by(LoadBalancer.created_at, LoadBalancer.id)
    return list(session.scalars(common.scope(query, LoadBalancer, context)))


def _provider(fields: dict) -> str:
    provider = fields.pop("provider", None) or common.PROVIDER
    if provider not in common.PROVIDERS:
        raise BadRequest(f"Provider '{provider}' is not enabled; the providers are: "
                         f"{', '.join(common.PROVIDERS)}.")
    for unsupported in ("flavor_id", "availability_zone", "vip_qos_policy_id"):
        if fields.get(unsupported):
            raise BadRequest(f"{unsupported} is not supported by provider {provider}; leave "
                             f"it out.")
    return provider


def create_loadbalancer(session: Session, context: RequestContext, fields: dict) -> LoadBalancer:
    project_id = common.owner_of_new(context, common.plain_text(fields))
    provider = _provider(fields)
    common.check_quota(session, project_id, "load_balancer")
    lb = LoadBalancer(id=new_id(), project_id=project_id, provider=provider,
                      name=fields.get("name") or "", description=fields.get("description") or "",
                      tags=list(fields.get("tags") or []),
                      admin_state_up=fields.get("admin_state_up", True),
                      provisioning_status=PENDING_CREATE, operating_status=OFFLINE)
    session.add(lb)
    session.flush()
    vip.attach(session, context, lb, fields)
    session.flush()
    return lb


def update_loadbalancer(session: Session, context: RequestContext, lb_id: str,
                        changes: dict) -> LoadBalancer:
    lb = common.owned(session, context, LoadBalancer, lb_id)
    common.begin_change(lb)
    common.set_fields(lb, {k: v for k, v in changes.items() if v is not None}, UPDATABLE)
    return lb


def children(session: Session, lb_id: str) -> list:
    """Everything under the load balancer, members and monitors before their pools."""
    pool_ids = select(Pool.id).where(Pool.loadbalancer_id == lb_id)
    found: list = []
    for model, where in ((HealthMonitor, HealthMonitor.pool_id.in_(pool_ids)),
                         (Member, Member.pool_id.in_(pool_ids)),
                         (Pool, Pool.loadbalancer_id == lb_id),
                         (Listener, Listener.loadbalancer_id == lb_id)):
        found += list(session.scalars(select(model).where(where)))
    return found


def delete_loadbalancer(session: Session, context: RequestContext, lb_id: str,
                        cascade: bool = False) -> None:
    """Mark it (and, with ``cascade``, everything under it) PENDING_DELETE; 400 when it
    still has listeners or pools and ``cascade`` is not asked. One whose VIP is gone may
    be deleted even while PENDING_* (the agent could never finish that change)."""
    lb = common.owned(session, context, LoadBalancer, lb_id)
    below = children(session, lb_id)
    if below and not cascade:
        raise BadRequest(f"Cannot delete Load Balancer {lb_id} - it has children; delete "
                         f"them first or use cascade.")
    common.begin_change(lb, queue=vip.missing(session, lb) is not None)
    for row in [*below, lb]:
        row.provisioning_status = PENDING_DELETE
