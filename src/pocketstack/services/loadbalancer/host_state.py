"""What the host should have, read from desired state for the load balancer reconcilers, and
the outcomes they report back. No driver calls here: the agent makes them."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pocketstack.db.models.loadbalancer import HealthMonitor, Listener, LoadBalancer, Member, Pool
from pocketstack.db.models.network import Network, Port, Subnet
from pocketstack.drivers.loadbalancer.base import (
    HealthMonitorSpec,
    ListenerSpec,
    LoadBalancerSpec,
    LoadBalancerStats,
    MemberSpec,
    PoolSpec,
)
from pocketstack.services.loadbalancer import health, loadbalancers, vip
from pocketstack.services.loadbalancer.common import (
    ACTIVE,
    ERROR,
    PENDING_DELETE,
    is_pending,
)

CHILDREN = (HealthMonitor, Member, Pool, Listener)  # the order rows can be removed in


def pending(session: Session) -> list[str]:
    """Load balancers the host has yet to converge (deletes first)."""
    rows = session.execute(select(LoadBalancer.id, LoadBalancer.provisioning_status).where(
        LoadBalancer.provisioning_status.like("PENDING_%")))
    return [key for key, status in sorted(rows, key=lambda r: r[1] != PENDING_DELETE)]


def wanted(session: Session) -> set[str]:
    """Every load balancer the host may keep (mark and sweep)."""
    return set(session.scalars(select(LoadBalancer.id).where(
        LoadBalancer.provisioning_status != PENDING_DELETE)))


def settled(session: Session) -> list[str]:
    """Load balancers whose health the agent watches."""
    return list(session.scalars(select(LoadBalancer.id).where(
        LoadBalancer.provisioning_status == ACTIVE)))


def waiting_for_vip(session: Session, keys: list[str]) -> set[str]:
    """Of ``keys``, load balancers whose VIP port the network agent has not applied yet."""
    query = (select(LoadBalancer.id).join(Port, Port.id == LoadBalancer.vip_port_id)
             .where(LoadBalancer.id.in_(keys), LoadBalancer.provisioning_status != PENDING_DELETE,
                    Port.deleting.is_(False), Port.generation != Port.applied_generation))
    return set(session.scalars(query))


def _live(session: Session, model, where) -> list:
    query = select(model).where(where, model.provisioning_status != PENDING_DELETE)
    return list(session.scalars(query.order_by(model.created_at, model.id)))


def _monitor(row: HealthMonitor | None) -> HealthMonitorSpec | None:
    if row is None:
        return None
    return HealthMonitorSpec(
        id=row.id, type=row.type, delay=row.delay, timeout=row.timeout,
        max_retries=row.max_retries, max_retries_down=row.max_retries_down,
        http_method=row.http_method or "GET", url_path=row.url_path or "/",
        expected_codes=row.expected_codes or "200", admin_state_up=row.admin_state_up,
        http_version=row.http_version, domain_name=row.domain_name)


def _pool(session: Session, pool: Pool) -> PoolSpec:
    monitors = _live(session, HealthMonitor, HealthMonitor.pool_id == pool.id)
    members = tuple(MemberSpec(
        id=m.id, address=m.address, protocol_port=m.protocol_port, weight=m.weight,
        admin_state_up=m.admin_state_up, backup=m.backup, monitor_address=m.monitor_address,
        monitor_port=m.monitor_port) for m in _live(session, Member, Member.pool_id == pool.id))
    return PoolSpec(id=pool.id, protocol=pool.protocol, lb_algorithm=pool.lb_algorithm,
                    admin_state_up=pool.admin_state_up, members=members,
                    health_monitor=_monitor(monitors[0] if monitors else None))


def _listener(row: Listener, pool_ids: set[str]) -> ListenerSpec:
    return ListenerSpec(
        id=row.id, protocol=row.protocol, protocol_port=row.protocol_port,
        default_pool_id=row.default_pool_id if row.default_pool_id in pool_ids else None,
        admin_state_up=row.admin_state_up, connection_limit=row.connection_limit,
        timeout_client_data=row.timeout_client_data,
        timeout_member_connect=row.timeout_member_connect,
        timeout_member_data=row.timeout_member_data,
        insert_headers=tuple(sorted((k, str(v)) for k, v in (row.insert_headers or {}).items())),
        allowed_cidrs=tuple(row.allowed_cidrs or ()))


def vip_missing(session: Session, lb: LoadBalancer) -> str | None:
    """See ``vip.missing``: the load balancer cannot be served."""
    return vip.missing(session, lb)


def spec(session: Session, lb: LoadBalancer) -> LoadBalancerSpec:
    port = session.get(Port, lb.vip_port_id)
    subnet = session.get(Subnet, lb.vip_subnet_id)
    network = session.get(Network, lb.vip_network_id)
    pools = tuple(_pool(session, p) for p in _live(session, Pool, Pool.loadbalancer_id == lb.id))
    pool_ids = {p.id for p in pools}
    listeners = tuple(_listener(row, pool_ids) for row in
                      _live(session, Listener, Listener.loadbalancer_id == lb.id))
    return LoadBalancerSpec(
        id=lb.id, name=lb.name, vip_port_id=lb.vip_port_id, vip_network_id=lb.vip_network_id,
        vip_address=lb.vip_address, prefix_length=ipaddress.ip_network(subnet.cidr).prefixlen,
        mac_address=port.mac_address if port else "", gateway=subnet.gateway_ip,
        mtu=network.mtu if network else 1500, admin_state_up=lb.admin_state_up,
        listeners=listeners, pools=pools)


def finish_apply(session: Session, lb_id: str, generation: int,
                 stats: LoadBalancerStats | None) -> bool:
    """The host serves the load balancer as it was at ``generation``: ACTIVE it and its
    pending children, forget the deleted ones. False (nothing written) when the desired
    state changed meanwhile.

    The load balancer row is compared-and-swapped first: that write holds SQLite's lock,
    so no change can come in between it and the children's updates."""
    result = session.execute(
        update(LoadBalancer).where(LoadBalancer.id == lb_id, LoadBalancer.generation == generation)
        .values(provisioning_status=ACTIVE, fault=None)
        .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        return False
    lb = session.get(LoadBalancer, lb_id)
    session.refresh(lb)
    for model in CHILDREN:
        for row in _children_of(session, model, lb_id):
            if row.provisioning_status == PENDING_DELETE:
                session.delete(row)
            elif is_pending(row.provisioning_status):
                row.provisioning_status = ACTIVE
        session.flush()
    report_health(session, lb_id, stats, running=True)
    return True


def _children_of(session: Session, model, lb_id: str) -> list:
    if model in (Listener, Pool):
        return list(session.scalars(select(model).where(model.loadbalancer_id == lb_id)))
    pools = select(Pool.id).where(Pool.loadbalancer_id == lb_id)
    return list(session.scalars(select(model).where(model.pool_id.in_(pools))))


def finish_delete(session: Session, lb_id: str) -> None:
    """The host forgot the load balancer: its rows and its VIP port go."""
    lb = session.get(LoadBalancer, lb_id)
    if lb is None or lb.provisioning_status != PENDING_DELETE:
        return
    vip.release(session, lb)
    for row in loadbalancers.children(session, lb_id):
        session.delete(row)
    session.flush()
    session.delete(lb)


def report_fault(session: Session, lb_id: str, message: str) -> None:
    """A permanent failure: the load balancer and what was pending on it are ERROR."""
    lb = session.get(LoadBalancer, lb_id)
    if lb is None:
        return
    for model in CHILDREN:
        for row in _children_of(session, model, lb_id):
            if is_pending(row.provisioning_status):
                row.provisioning_status = ERROR
    lb.provisioning_status, lb.operating_status, lb.fault = ERROR, ERROR, message


def report_health(session: Session, lb_id: str, stats: LoadBalancerStats | None,
                  running: bool) -> None:
    """Write the operating statuses the host's view implies (only those that changed)."""
    lb = session.get(LoadBalancer, lb_id)
    if lb is None or lb.provisioning_status == PENDING_DELETE:
        return
    pool_status: dict[str, str] = {}
    for pool in _children_of(session, Pool, lb_id):
        monitored = any(m.admin_state_up for m in _live(
            session, HealthMonitor, HealthMonitor.pool_id == pool.id))
        members = _children_of_pool(session, pool.id)
        statuses = [health.member_status(m, monitored, stats) for m in members]
        for member, status in zip(members, statuses, strict=True):
            _set(member, status)
        for monitor in _live(session, HealthMonitor, HealthMonitor.pool_id == pool.id):
            _set(monitor, "ONLINE" if monitor.admin_state_up else "OFFLINE")
        pool_status[pool.id] = health.pool_status(pool, statuses)
        _set(pool, pool_status[pool.id])
    listener_statuses = []
    for listener in _children_of(session, Listener, lb_id):
        listener_statuses.append(health.listener_status(listener, pool_status))
        _set(listener, listener_statuses[-1])
    parts = listener_statuses + list(pool_status.values())
    _set(lb, health.loadbalancer_status(lb, running, parts))


def _children_of_pool(session: Session, pool_id: str) -> list[Member]:
    return _live(session, Member, Member.pool_id == pool_id)


def _set(row, status: str) -> None:
    if row.operating_status != status:
        row.operating_status = status
