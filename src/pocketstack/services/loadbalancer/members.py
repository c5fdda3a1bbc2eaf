"""Pool members: backend servers by address and port.

These four functions are also the contract the autoscaler uses to add and remove its
servers (see the scaling contract): each checks, writes desired state and returns the
member in Octavia's JSON shape; the caller wakes the agent. With ``queue`` (the default
for such callers) a change made while the agent still works on the load balancer joins
the pending one; the HTTP API passes ``queue=False`` and answers 409 then, as Octavia.
Either way a load balancer being deleted refuses changes (Conflict).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import new_id
from pocketstack.db.models.loadbalancer import HealthMonitor, LoadBalancer, Member, Pool
from pocketstack.db.models.network import Subnet
from pocketstack.errors import BadRequest, Conflict, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.loadbalancer import common, shapes
from pocketstack.services.loadbalancer.common import (
    NO_MONITOR,
    OFFLINE,
    PENDING_CREATE,
    PENDING_DELETE,
    PENDING_UPDATE,
)
from pocketstack.services.network import common as network_common

MAX_WEIGHT = 256
KEEP = object()  # update_member: leave the field as it is (None clears it)
FIXED = ("address", "protocol_port", "subnet_id")  # what names a member in a batch


def _pool(session: Session, context: RequestContext, pool_id: str, *, write: bool) -> Pool:
    pool = (common.owned if write else common.visible)(session, context, Pool, pool_id)
    if pool.provisioning_status == PENDING_DELETE:
        raise common.not_found(Pool, pool_id)
    return pool


def _member(session: Session, context: RequestContext, pool: Pool, member_id: str) -> Member:
    member = common.owned(session, context, Member, member_id)
    if member.pool_id != pool.id:
        raise common.not_found(Member, member_id)
    return member


def _weight(value: int) -> int:
    if not 0 <= value <= MAX_WEIGHT:
        raise BadRequest(f"Invalid input for field/attribute weight. Value: '{value}'. "
                         f"Value must be between 0 and {MAX_WEIGHT}.")
    return value


def _subnet(session: Session, context: RequestContext, subnet_id: str | None) -> str | None:
    if subnet_id is None:
        return None
    found = session.scalar(network_common.scope(
        select(Subnet.id).where(Subnet.id == subnet_id), Subnet, context))
    if found is None:
        raise BadRequest(f"Subnet {subnet_id} not found.")
    return subnet_id


def _monitor_address(value: str | None) -> str | None:
    return None if value is None else common.ip_address(value, "monitor_address")


def _monitor_port(value: int | None) -> int | None:
    return None if value is None else common.port_number(value, "monitor_port")


def _monitored(session: Session, pool_id: str) -> bool:
    return session.scalar(select(HealthMonitor.id).where(
        HealthMonitor.pool_id == pool_id, HealthMonitor.provisioning_status != PENDING_DELETE
    )) is not None


def create_member(session: Session, context: RequestContext, pool_id: str, *, address: str,
                  protocol_port: int, subnet_id: str | None = None, name: str = "",
                  weight: int = 1, admin_state_up: bool = True, backup: bool = False,
                  monitor_address: str | None = None, monitor_port: int | None = None,
                  tags: list[str] | None = None, queue: bool = True) -> dict:
    pool = _pool(session, context, pool_id, write=True)
    common.plain_text({"name": name, "tags": tags})
    address = common.ip_address(address)
    port = common.port_number(protocol_port)
    duplicate = session.scalar(select(Member.id).where(
        Member.pool_id == pool.id, Member.address == address, Member.protocol_port == port))
    if duplicate:
        raise Conflict(f"Another member on this pool is already using ip {address} on "
                       f"protocol_port {port}")
    common.check_quota(session, pool.project_id, "member")
    member = Member(
        id=new_id(), project_id=pool.project_id, pool_id=pool.id, address=address,
        protocol_port=port, subnet_id=_subnet(session, context, subnet_id), name=name or "",
        weight=_weight(weight), admin_state_up=admin_state_up, backup=backup,
        monitor_address=_monitor_address(monitor_address),
        monitor_port=_monitor_port(monitor_port),
        tags=list(tags or []), provisioning_status=PENDING_CREATE,
        operating_status=OFFLINE if _monitored(session, pool.id) else NO_MONITOR)
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id), queue)
    session.add(member)
    session.flush()
    return shapes.members(session, [member])[0]


def update_member(session: Session, context: RequestContext, pool_id: str, member_id: str, *,
                  weight: int | None = None, admin_state_up: bool | None = None,
                  name: str | None = None, backup: bool | None = None,
                  tags: list[str] | None = None, monitor_address=KEEP, monitor_port=KEEP,
                  queue: bool = True) -> dict:
    """Fields left None stay; ``monitor_address``/``monitor_port`` given as None are
    cleared (Octavia's null)."""
    pool = _pool(session, context, pool_id, write=True)
    member = _member(session, context, pool, member_id)
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id), queue)
    changes = {"weight": None if weight is None else _weight(weight),
               "admin_state_up": admin_state_up, "name": name, "backup": backup, "tags": tags}
    changes = {k: v for k, v in changes.items() if v is not None}
    if monitor_address is not KEEP:
        changes["monitor_address"] = _monitor_address(monitor_address)
    if monitor_port is not KEEP:
        changes["monitor_port"] = _monitor_port(monitor_port)
    common.set_fields(member, changes, tuple(changes))
    member.provisioning_status = PENDING_UPDATE
    return shapes.members(session, [member])[0]


def delete_member(session: Session, context: RequestContext, pool_id: str, member_id: str,
                  *, queue: bool = True) -> None:
    pool = _pool(session, context, pool_id, write=True)
    member = _member(session, context, pool, member_id)
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id), queue)
    member.provisioning_status = PENDING_DELETE


def replace_members(session: Session, context: RequestContext, pool_id: str,
                    wanted: list[dict], additive_only: bool = False) -> None:
    """Octavia's batch update: members of ``wanted`` are matched to the pool's by address
    and port: matched ones are updated with the fields given, new ones created, and (unless
    ``additive_only``) the pool's members not named are deleted. One change of the load
    balancer (409 while it is pending); all or nothing."""
    pool = _pool(session, context, pool_id, write=True)
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id))
    existing = {(m.address, m.protocol_port): m.id for m in session.scalars(select(Member).where(
        Member.pool_id == pool.id, Member.provisioning_status != PENDING_DELETE))}
    named = set()
    for fields in wanted:
        key = (common.ip_address(fields["address"]), common.port_number(fields["protocol_port"]))
        if key in named:
            raise BadRequest(f"Member {key[0]}:{key[1]} is given twice.")
        named.add(key)
        if key in existing:
            changes = {k: v for k, v in fields.items() if k not in FIXED}
            update_member(session, context, pool.id, existing[key], **changes, queue=True)
        else:
            create_member(session, context, pool.id, **fields, queue=True)
    for key, member_id in existing.items():
        if key not in named and not additive_only:
            delete_member(session, context, pool.id, member_id, queue=True)


def loadbalancer_of_pool(session: Session, context: RequestContext, pool_id: str) -> str | None:
    """The ID of the load balancer serving ``pool_id`` (whose stats hold the pool's
    members), None when the caller cannot see such a pool or it is being deleted."""
    try:
        return _pool(session, context, pool_id, write=False).loadbalancer_id
    except NotFound:
        return None


def list_members(session: Session, context: RequestContext, pool_id: str) -> list[dict]:
    pool = _pool(session, context, pool_id, write=False)
    rows = session.scalars(select(Member).where(Member.pool_id == pool.id)
                           .order_by(Member.created_at, Member.id))
    return shapes.members(session, list(rows))


def show_member(session: Session, context: RequestContext, pool_id: str,
                member_id: str) -> dict:
    pool = _pool(session, context, pool_id, write=False)
    member = common.visible(session, context, Member, member_id)
    if member.pool_id != pool.id:
        raise common.not_found(Member, member_id)
    return shapes.members(session, [member])[0]
