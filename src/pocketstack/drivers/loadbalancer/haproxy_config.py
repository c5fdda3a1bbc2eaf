"""Render one load balancer spec as haproxy.cfg: a frontend per listener (named by its id),
a backend per pool (named by its id), a server per member (named by its id), so the stats
socket's rows map back to the API's objects.

Process-wide: one thread, ``MAXCONN`` connections, old workers killed ``HARD_STOP_AFTER``
after a reload (a connection still open then is cut), privileges dropped to the
``haproxy`` user when the host has one.

Every string of the spec written into the file (ids, addresses, HTTP check fields) must be
one plain word: a value with whitespace, a control character, ``#``, a quote or a
backslash could end its line and add directives (run as root on the next reload), so
``render`` refuses the whole spec. Names and descriptions are never written.
"""

from __future__ import annotations

import dataclasses
import grp
import pwd
import re

from pocketstack.drivers.loadbalancer.base import (
    HealthMonitorSpec,
    ListenerSpec,
    LoadBalancerSpec,
    MemberSpec,
    PoolSpec,
)
from pocketstack.errors import DriverError

MAXCONN = 4096
HARD_STOP_AFTER = "300s"
ALGORITHMS = {"ROUND_ROBIN": "roundrobin", "LEAST_CONNECTIONS": "leastconn",
              "SOURCE_IP": "source"}
WORD = re.compile(r"(?:(?![#\"'\\])[!-~])*")  # printable ASCII, no space, # or quote
NOT_WRITTEN = ("name",)


def _service_user() -> list[str]:
    try:
        pwd.getpwnam("haproxy")
        grp.getgrnam("haproxy")
    except KeyError:
        return []
    return ["    user haproxy", "    group haproxy"]


def check_words(value, where: str = "spec") -> None:
    """Raise a permanent DriverError unless every string in ``value`` (a spec, or tuples of
    them) is one plain word; fields in ``NOT_WRITTEN`` are skipped."""
    if isinstance(value, str):
        if not WORD.fullmatch(value):
            raise DriverError(f"Refusing to write {where} {value!r} into haproxy.cfg: it is "
                              f"not one word of printable ASCII without # or quotes.")
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            if item.name not in NOT_WRITTEN:
                check_words(getattr(value, item.name), item.name)
    elif isinstance(value, tuple):
        for item in value:
            check_words(item, where)


def render(spec: LoadBalancerSpec, stats_socket: str) -> str:
    """The configuration of ``spec`` (DriverError, permanent: a value is unsafe to write)."""
    check_words(spec)
    check_words(stats_socket, "stats socket")
    modes = _backend_modes(spec)
    lines = [
        f"# load balancer {spec.id}; written by pocketstack, do not edit",
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
        # on a reload, an idle keep-alive connection is closed after one more answer
        # (with "Connection: close"), not under a request the client is sending
        lines.append("    option idle-close-on-response")
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
        lines += [*_http_request(monitor),
                  f"    http-check expect rstatus {_expected(monitor.expected_codes)}"]
    return lines


def _http_request(monitor: HealthMonitorSpec) -> list[str]:
    """The check's request: with an HTTP version or a Host, HAProxy 2.2+'s ``http-check
    send``."""
    if not (monitor.http_version or monitor.domain_name):
        return [f"    option httpchk {monitor.http_method} {monitor.url_path}"]
    words = ["    http-check send", f"meth {monitor.http_method}", f"uri {monitor.url_path}"]
    if monitor.http_version:
        words.append(f"ver HTTP/{monitor.http_version}")
    if monitor.domain_name:
        words.append(f"hdr Host {monitor.domain_name}")
    return ["    option httpchk", " ".join(words)]


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
