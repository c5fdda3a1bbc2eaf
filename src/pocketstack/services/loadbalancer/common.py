"""What every load balancer object shares: statuses, tenancy, the immutability of a load
balancer while the agent works on it, quotas, and checks of common fields."""

from __future__ import annotations

import ipaddress

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, object_session

from pocketstack.db.models.loadbalancer import (
    HealthMonitor,
    Listener,
    LoadBalancer,
    Member,
    Pool,
)
from pocketstack.errors import BadRequest, Conflict, NotFound, QuotaExceeded
from pocketstack.services import quota
from pocketstack.services.context import RequestContext

PENDING_CREATE, PENDING_UPDATE, PENDING_DELETE = "PENDING_CREATE", "PENDING_UPDATE", "PENDING_DELETE"
ACTIVE, ERROR = "ACTIVE", "ERROR"
ONLINE, OFFLINE, DEGRADED, NO_MONITOR, DRAINING = (
    "ONLINE", "OFFLINE", "DEGRADED", "NO_MONITOR", "DRAINING")

PROVIDER = "haproxy"
PROVIDERS = {PROVIDER: "HAProxy in a network namespace on the tenant network (pocketstack)"}

LABELS = {LoadBalancer: "Load Balancer", Listener: "Listener", Pool: "Pool", Member: "Member",
          HealthMonitor: "Health Monitor"}

# Octavia's quota names → the model counted.
QUOTA_RESOURCES = {"load_balancer": LoadBalancer, "listener": Listener, "pool": Pool,
                   "member": Member, "health_monitor": HealthMonitor}


def not_found(model, resource_id: str) -> NotFound:
    return NotFound(f"{LABELS[model]} {resource_id} not found.")


def scope(query, model, context: RequestContext):
    """Restrict ``query`` to what ``context`` may see (admin: every project, as Octavia)."""
    if context.is_admin:
        return query
    return query.where(model.project_id == context.project_id)


def visible(session: Session, context: RequestContext, model, resource_id: str):
    row = session.scalar(scope(select(model).where(model.id == resource_id), model, context))
    if row is None:
        raise not_found(model, resource_id)
    return row


def owned(session: Session, context: RequestContext, model, resource_id: str):
    """Like ``visible``, and the caller may change it (a reader may not)."""
    row = visible(session, context, model, resource_id)
    context.require_writer()
    return row


def owner_of_new(context: RequestContext, fields: dict) -> str:
    """The project of a new object: the caller's, or (admin only) the one asked."""
    return context.owner_of_new(fields, "a load balancer object")


def is_pending(status: str) -> bool:
    return status.startswith("PENDING_")


def begin_change(lb: LoadBalancer, queue: bool = False) -> None:
    """``lb`` must change on the host: it goes PENDING_UPDATE until the agent applied it.
    While the agent still works on it: 409 (Octavia's immutability), or with ``queue`` the
    change joins the pending one (not on a load balancer being deleted).

    One compare-and-swap UPDATE, so of two requests that both read ``lb`` as settled only
    one gets through (SQLite starts the transaction at its first write, not at the read).
    ``lb`` is refreshed with the values written."""
    status = LoadBalancer.provisioning_status
    allowed = status != PENDING_DELETE if queue else status.not_like("PENDING_%")
    session = object_session(lb)
    result = session.execute(
        update(LoadBalancer).where(LoadBalancer.id == lb.id, allowed)
        .values(generation=LoadBalancer.generation + 1,
                provisioning_status=case((status.like("PENDING_%"), status),
                                         else_=PENDING_UPDATE))
        .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        raise Conflict(f"Load Balancer {lb.id} is immutable and cannot be updated.")
    session.refresh(lb)


def check_quota(session: Session, project_id: str, resource: str, wanted: int = 1) -> None:
    """Octavia's check (unlimited unless an admin set a limit): 403 when over."""
    model = QUOTA_RESOURCES[resource]
    used = session.scalar(select(func.count()).select_from(model).where(
        model.project_id == project_id, model.provisioning_status != PENDING_DELETE)) or 0
    try:
        quota.check(session, project_id, resource, used, wanted)
    except QuotaExceeded:
        raise QuotaExceeded(f"Quota has been met for resources: {resource}.") from None


def port_number(value: int, what: str = "protocol_port") -> int:
    if not 1 <= value <= 65535:
        raise BadRequest(f"Invalid input for field/attribute {what}. Value: '{value}'. "
                         f"Value must be between 1 and 65535.")
    return value


def ip_address(value: str, what: str = "address") -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise BadRequest(f"Invalid input for field/attribute {what}. Value: '{value}'. "
                         f"Value should be IPv4 or IPv6 format.") from None


def one_of(value: str, allowed, what: str) -> str:
    if value not in allowed:
        raise BadRequest(f"Invalid input for field/attribute {what}. Value: '{value}'. "
                         f"Value should be one of: {', '.join(allowed)}.")
    return value


TEXT_FIELDS = ("name", "description")


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or 0x7f <= ord(c) < 0xa0 or c in "\u2028\u2029" for c in text)


def plain_text(fields: dict) -> dict:
    """``fields`` unchanged; 400 when a name, description or tag holds a control character
    (a line break in a name must never reach a file written from it)."""
    texts = [(name, fields.get(name)) for name in TEXT_FIELDS]
    texts += [("tags", tag) for tag in fields.get("tags") or ()]
    for name, value in texts:
        if isinstance(value, str) and _has_control(value):
            raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value!r}. "
                             f"Control characters (line breaks, tabs) are not allowed.")
    return fields


def set_fields(row, changes: dict, allowed: tuple[str, ...]) -> None:
    plain_text(changes)
    for name in allowed:
        if name in changes:
            setattr(row, name, changes[name])
