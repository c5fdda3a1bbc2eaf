"""Octavia's JSON beyond the objects themselves (services/loadbalancer/shapes.py): the
status tree and statistics; and the list and show envelopes every resource shares."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from pocketstack.api.network import listing
from pocketstack.api.network.resource import one
from pocketstack.db.models.loadbalancer import HealthMonitor, Listener, LoadBalancer, Member, Pool
from pocketstack.drivers.loadbalancer.base import ListenerStats, LoadBalancerStats

STATS = ("active_connections", "bytes_in", "bytes_out", "request_errors", "total_connections")

__all__ = ["one", "page", "stats", "status_tree"]


def page(request: Request, collection: str, items: list[dict]) -> dict:
    """Octavia lists: filters on any attribute, ``fields``, ``sort_key``/``sort_dir``,
    ``marker``/``limit`` with ``<collection>_links`` (the same semantics as Neutron's)."""
    return listing.respond(request, collection, items)


def stats(found: LoadBalancerStats | ListenerStats) -> dict:
    return {"stats": {name: getattr(found, name) for name in STATS}}


def _brief(row, *extra: str) -> dict:
    item = {"id": row.id, "name": row.name, "provisioning_status": row.provisioning_status,
            "operating_status": row.operating_status}
    return {**item, **{name: getattr(row, name) for name in extra}}


def _pool_tree(session: Session, pool: Pool) -> dict:
    members = session.scalars(select(Member).where(Member.pool_id == pool.id)
                              .order_by(Member.created_at, Member.id))
    monitor = session.scalar(select(HealthMonitor).where(HealthMonitor.pool_id == pool.id))
    tree = {**_brief(pool), "members": [_brief(m, "address", "protocol_port") for m in members]}
    if monitor is not None:
        tree["health_monitor"] = _brief(monitor, "type")
    return tree


def status_tree(session: Session, lb: LoadBalancer) -> dict:
    """``{"statuses": {"loadbalancer": {..., "listeners": [{..., "pools": [...]}]}}}``."""
    pools = {p.id: p for p in session.scalars(
        select(Pool).where(Pool.loadbalancer_id == lb.id).order_by(Pool.created_at, Pool.id))}
    listeners = []
    for listener in session.scalars(select(Listener).where(Listener.loadbalancer_id == lb.id)
                                    .order_by(Listener.created_at, Listener.id)):
        pool = pools.get(listener.default_pool_id or "")
        listeners.append({**_brief(listener),
                          "pools": [_pool_tree(session, pool)] if pool else []})
    return {"statuses": {"loadbalancer": {**_brief(lb), "listeners": listeners}}}
