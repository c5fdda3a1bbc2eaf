"""Render one load balancer spec as haproxy.cfg: a frontend per listener (named by its id),
a backend per pool (named by its id), a server per member (named by its id), so the stats
socket's rows map back to the API's objects.

Process-wide: one thread, ``MAXCONN`` connections, old workers killed ``HARD_STOP_AFTER``
after a reload (a connection still open then is cut), privileges dropped to the
``haproxy`` user when the host has one.
"""

from __future__ import annotations

import grp
import pwd

from pocketstack.drivers.loadbalancer.base import (
    HealthMonitorSpec,
    ListenerSpec,
    LoadBalancerSpec,
    MemberSpec,
    PoolSpec,
)

MAXCONN = 4096
HARD_STOP_AFTER = "300s"
ALGORITHMS = {"ROUND_ROBIN": "roundrobin", "LEAST_CONNECTIONS": "leastconn",
              "SOURCE_IP": "source"}


def _service_user() -> list[str]:
    try:
        pwd.getpwnam("haproxy")
        grp.getgrnam("haproxy")
    except KeyError:
        return []
    return ["    user haproxy", "    group haproxy"]


def render(spec: LoadBalancerSpec, stats_socket: str) -> str:
    modes = _backend_modes(spec)
    lines = [
        f"# load balancer {spec.id} ({spec.name}); written by pocketstack, do not edit",
        "global",
        f"    maxconn {MAXCONN}",
        "    nbthread 1",
        f"    hard-stop-after {HARD_STOP_AFTER}",
        f"    stats socket {stats_socket} mode 600 level admin expose-fd listeners",
        *_service_user(),
        "",
        "defaults",
        "    timeout connect 5s",
        "    timeout client 50s",
        "    timeout server 50s",
        "    retries 3",
        "    option redispatch",
    ]
    for listener in spec.listeners:
        lines += ["", *_frontend(spec, listener)]
    for pool in spec.pools:
        lines += ["", *_backend(pool, modes.get(pool.id, pool.protocol.lower()),
                                _listener_of(spec, pool.id))]
    return "\n".join(lines) + "\n"


def _listener_of(spec: LoadBalancerSpec, pool_id: str) -> ListenerSpec | None:
    return next((x for x in spec.listeners if x.default_pool_id == pool_id), None)


def _backend_modes(spec: LoadBalancerSpec) -> dict[str, str]:
    """A backend runs in the mode of the listener sending to it (HAProxy requires it)."""
    return {x.default_pool_id: x.protocol.lower() for x in spec.listeners if x.default_pool_id}


def _address(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _frontend(spec: LoadBalancerSpec, listener: ListenerSpec) -> list[str]:
    mode = listener.protocol.lower()
    lines = [f"frontend {listener.id}",
             f"    bind {_address(spec.vip_address, listener.protocol_port)}",
             f"    mode {mode}",
             f"    timeout client {listener.timeout_client_data}ms"]
    if listener.connection_limit >= 0:
        lines.append(f"    maxconn {listener.connection_limit}")
    if not (spec.admin_state_up and listener.admin_state_up):
        lines.append("    disabled")
    if listener.allowed_cidrs:
        lines += [f"    acl allowed_cidr src {' '.join(listener.allowed_cidrs)}",
                  "    tcp-request connection reject if !allowed_cidr"]
    if mode == "http":
        lines += _forwarded_headers(dict(listener.insert_headers))
    if listener.default_pool_id:
        lines.append(f"    default_backend {listener.default_pool_id}")
    elif mode == "http":
        lines.append("    http-request deny deny_status 503")
    else:
        lines.append("    tcp-request connection reject")
    return lines


def _forwarded_headers(headers: dict[str, str]) -> list[str]:
    lines = []
    if headers.get("X-Forwarded-For", "").lower() == "true":
        lines.append("    option forwardfor")
    if headers.get("X-Forwarded-Port", "").lower() == "true":
        lines.append("    http-request set-header X-Forwarded-Port %[dst_port]")
    if headers.get("X-Forwarded-Proto", "").lower() == "true":
        lines.append("    http-request set-header X-Forwarded-Proto http")
    return lines


def _backend(pool: PoolSpec, mode: str, listener: ListenerSpec | None) -> list[str]:
    lines = [f"backend {pool.id}", f"    mode {mode}",
             f"    balance {ALGORITHMS[pool.lb_algorithm]}"]
    if listener is not None:
        lines += [f"    timeout connect {listener.timeout_member_connect}ms",
                  f"    timeout server {listener.timeout_member_data}ms"]
    monitor = pool.health_monitor
    checking = monitor is not None and monitor.admin_state_up
    if checking:
        lines += _health_check(monitor)
    for member in pool.members:
        lines.append(_server(member, checking, pool.admin_state_up))
    return lines


def _expected(codes: str) -> str:
    """Octavia's "200", "200,202" or "200-204" as a status regex."""
    if "-" in codes:
        low, high = (int(code) for code in codes.split("-"))
        wanted = [str(code) for code in range(low, high + 1)]
    else:
        wanted = codes.split(",")
    return f"^({'|'.join(wanted)})$"


def _health_check(monitor: HealthMonitorSpec) -> list[str]:
    rhythm = (f"inter {monitor.delay}s fall {monitor.max_retries_down} "
              f"rise {monitor.max_retries}")
    lines = [f"    timeout check {monitor.timeout}s", f"    default-server {rhythm}"]
    if monitor.type == "HTTP":
        lines += [f"    option httpchk {monitor.http_method} {monitor.url_path}",
                  f"    http-check expect rstatus {_expected(monitor.expected_codes)}"]
    return lines


def _server(member: MemberSpec, checking: bool, pool_up: bool) -> str:
    words = [f"    server {member.id} {_address(member.address, member.protocol_port)}",
             f"weight {member.weight}"]
    if checking:
        words.append("check")
        if member.monitor_address:
            words.append(f"addr {member.monitor_address}")
        if member.monitor_port:
            words.append(f"port {member.monitor_port}")
    if member.backup:
        words.append("backup")
    if not (member.admin_state_up and pool_up):
        words.append("disabled")
    return " ".join(words)
