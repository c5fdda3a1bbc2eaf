"""Operating statuses from what the host sees: member health rolls up to pools, listeners and
the load balancer, as Octavia reports them."""

from __future__ import annotations

from pocketstack.drivers.loadbalancer.base import LoadBalancerStats
from pocketstack.services.loadbalancer.common import (
    DEGRADED,
    DRAINING,
    ERROR,
    NO_MONITOR,
    OFFLINE,
    ONLINE,
)

MEMBER = {"UP": ONLINE, "DOWN": ERROR, "DRAIN": DRAINING, "MAINT": OFFLINE,
          "NO_CHECK": NO_MONITOR}


def member_status(member, monitored: bool, stats: LoadBalancerStats | None) -> str:
    if not member.admin_state_up:
        return OFFLINE
    if not monitored:
        return NO_MONITOR
    seen = stats.members.get(member.id) if stats is not None else None
    return MEMBER.get(seen.status, OFFLINE) if seen is not None else OFFLINE


def pool_status(pool, member_statuses: list[str]) -> str:
    if not pool.admin_state_up:
        return OFFLINE
    down = member_statuses.count(ERROR)
    if down and down == len(member_statuses):
        return ERROR
    return DEGRADED if down else ONLINE


def listener_status(listener, pool_status_of: dict[str, str]) -> str:
    if not listener.admin_state_up:
        return OFFLINE
    pool = pool_status_of.get(listener.default_pool_id or "")
    return DEGRADED if pool in (DEGRADED, ERROR) else ONLINE


def loadbalancer_status(lb, running: bool, parts: list[str]) -> str:
    if not lb.admin_state_up:
        return OFFLINE
    if not running:
        return ERROR
    return DEGRADED if any(status in (DEGRADED, ERROR) for status in parts) else ONLINE
