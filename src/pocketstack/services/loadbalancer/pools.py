"""Pools: a set of members behind a listener (or only on the load balancer, to be a
listener's default pool later), with a balancing algorithm."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import new_id
from pocketstack.db.models.loadbalancer import HealthMonitor, Listener, LoadBalancer, Member, Pool
from pocketstack.errors import BadRequest, Conflict
from pocketstack.services.context import RequestContext
from pocketstack.services.loadbalancer import common, listeners
from pocketstack.services.loadbalancer.common import (
    OFFLINE,
    PENDING_CREATE,
    PENDING_DELETE,
    PENDING_UPDATE,
)

PROTOCOLS = ("HTTP", "TCP")
OCTAVIA_PROTOCOLS = ("HTTP", "HTTPS", "PROXY", "PROXYV2", "TCP", "UDP", "SCTP")
ALGORITHMS = ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP")
OCTAVIA_ALGORITHMS = (*ALGORITHMS, "SOURCE_IP_PORT")
UPDATABLE = ("name", "description", "admin_state_up", "lb_algorithm", "tags")


def list_pools(session: Session, context: RequestContext) -> list[Pool]:
    query = select(Pool).order_by(Pool.created_at, Pool.id)
    return list(session.scalars(common.scope(query, Pool, context)))


def _supported(value: str, octavia: tuple, ours: tuple, what: str) -> str:
    common.one_of(value, octavia, what)
    if value not in ours:
        raise BadRequest(f"{what} {value} is not supported by provider {common.PROVIDER}; use "
                         f"one of {', '.join(ours)}.")
    return value


def _check_unsupported(fields: dict) -> None:
    if fields.pop("session_persistence", None):
        raise BadRequest(f"session_persistence is not supported by provider "
                         f"{common.PROVIDER}; use lb_algorithm SOURCE_IP to keep a client on "
                         f"one member.")
    if fields.pop("tls_enabled", False):
        raise BadRequest(f"tls_enabled is not supported by provider {common.PROVIDER}.")


def _parents(session: Session, context: RequestContext, fields: dict):
    listener_id, lb_id = fields.pop("listener_id", None), fields.pop("loadbalancer_id", None)
    if not listener_id and not lb_id:
        raise BadRequest("A pool needs a listener_id or a loadbalancer_id.")
    listener = common.owned(session, context, Listener, listener_id) if listener_id else None
    lb = common.owned(session, context, LoadBalancer,
                      lb_id or listener.loadbalancer_id)
    if listener is not None and listener.loadbalancer_id != lb.id:
        raise BadRequest(f"Listener {listener.id} is not on load balancer {lb.id}.")
    if listener is not None and listener.default_pool_id:
        raise Conflict(f"Listener {listener.id} already has default pool "
                       f"{listener.default_pool_id}.")
    return lb, listener


def create_pool(session: Session, context: RequestContext, fields: dict) -> Pool:
    lb, listener = _parents(session, context, common.plain_text(fields))
    _check_unsupported(fields)
    pool = Pool(id=new_id(), project_id=lb.project_id, loadbalancer_id=lb.id,
                protocol=_supported(fields.pop("protocol"), OCTAVIA_PROTOCOLS, PROTOCOLS,
                                    "protocol"),
                lb_algorithm=_supported(fields.pop("lb_algorithm"), OCTAVIA_ALGORITHMS,
                                        ALGORITHMS, "lb_algorithm"),
                provisioning_status=PENDING_CREATE, operating_status=OFFLINE,
                **{k: v for k, v in fields.items() if k in UPDATABLE and v is not None})
    common.check_quota(session, lb.project_id, "pool")
    common.begin_change(lb)
    session.add(pool)
    session.flush()
    if listener is not None:
        listeners.check_pool(session, listener, pool.id)
        listener.default_pool_id = pool.id
        listener.provisioning_status = PENDING_UPDATE
    return pool


def update_pool(session: Session, context: RequestContext, pool_id: str, changes: dict) -> Pool:
    pool = common.owned(session, context, Pool, pool_id)
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id))
    _check_unsupported(changes)
    if "lb_algorithm" in changes:
        _supported(changes["lb_algorithm"], OCTAVIA_ALGORITHMS, ALGORITHMS, "lb_algorithm")
    common.set_fields(pool, {k: v for k, v in changes.items() if v is not None}, UPDATABLE)
    pool.provisioning_status = PENDING_UPDATE
    return pool


def delete_pool(session: Session, context: RequestContext, pool_id: str) -> None:
    """The pool, its members and monitor go; listeners using it are left without one."""
    pool = common.owned(session, context, Pool, pool_id)
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id))
    for model in (Member, HealthMonitor):
        for row in session.scalars(select(model).where(model.pool_id == pool.id)):
            row.provisioning_status = PENDING_DELETE
    for listener in session.scalars(select(Listener).where(Listener.default_pool_id == pool.id)):
        listener.default_pool_id = None
        listener.provisioning_status = PENDING_UPDATE
    pool.provisioning_status = PENDING_DELETE
