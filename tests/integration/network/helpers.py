"""Builders for the linux network driver's tests: a driver in a test "host" namespace,
specs, and fake instances (a namespace with a port, as the compute driver makes it)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from pocketstack.config import Settings
from pocketstack.drivers.network.base import (
    FixedIp,
    FloatingIpSpec,
    NetworkSpec,
    PortSpec,
    RouterGateway,
    RouterLeg,
    RouterSpec,
    SecurityRule,
)
from pocketstack.drivers.network.linux import LinuxNetworkDriver
from pocketstack.host import links, names, netns
from tests.integration.host.helpers import tcp_connect

PUBLIC = NetworkSpec("public-net", "public", external=True, cidrs=("172.24.4.0/24",),
                     gateway_ips=("172.24.4.1",))
EGRESS = (SecurityRule("egress", "IPv4"), SecurityRule("egress", "IPv6"))


def make_driver(prefix: str, scratch: str, host_ns: str, responder=None) -> LinuxNetworkDriver:
    settings = Settings(data_dir=Path(scratch), prefix=prefix, extra={"host_ns": host_ns})
    return LinuxNetworkDriver(settings, responder)


def private(network_id: str = "private-net", cidr: str = "10.0.0.0/24") -> NetworkSpec:
    return NetworkSpec(network_id, network_id, cidrs=(cidr,))


def leg(port_id: str, network_id: str, ip: str, plen: int = 24) -> RouterLeg:
    return RouterLeg(port_id, network_id, names.mac_for_ip(ip), ip, plen)


def router(router_id: str = "router-1", interfaces=(), gateway_ip: str | None = "172.24.4.2"
           ) -> RouterSpec:
    gateway = RouterGateway(leg(f"{router_id}-gw", PUBLIC.id, gateway_ip), "172.24.4.1") \
        if gateway_ip else None
    return RouterSpec(router_id, router_id, interfaces=tuple(interfaces), gateway=gateway)


def port(port_id: str, ip: str, network_id: str = "private-net", members=(), extra=()
         ) -> PortSpec:
    """A port in a default-like group: egress open, ingress from ``members`` (+ ``extra``)."""
    ingress = (SecurityRule("ingress", "IPv4", remote_ips=tuple(f"{m}/32" for m in members)),) \
        if members else ()
    return PortSpec(port_id, port_id, network_id, names.mac_for_ip(ip),
                    (FixedIp(ip, 24, ip.rsplit(".", 1)[0] + ".1"),),
                    rules=EGRESS + ingress + tuple(extra))


def tcp_rule(number: int) -> SecurityRule:
    return SecurityRule("ingress", "IPv4", "6", number, number)


def fip(fip_id: str, address: str, fixed: str, router_id: str = "router-1",
        port_id: str = "p") -> FloatingIpSpec:
    return FloatingIpSpec(fip_id, address, fixed, router_id, port_id)


def boot(prefix: str, host_ns: str, spec: PortSpec, gateway: str | None = None) -> str:
    """A namespace with ``spec``'s port the way the compute driver makes it; returns it."""
    ns = names.kernel_name(prefix, "instance_ns", spec.id)
    netns.create(ns)
    ip = spec.fixed_ips[0].ip_address
    links.ensure_port(names.kernel_name(prefix, "port", spec.id),
                      names.kernel_name(prefix, "bridge", spec.network_id), ns, "eth0",
                      mac=spec.mac_address, cidrs=[f"{ip}/24"],
                      gateway=gateway or spec.fixed_ips[0].gateway, ns=host_ns)
    return ns


def tcp_ok(ns: str | None, address: str, port: int, timeout: float = 0.5) -> bool:
    return tcp_connect(ns, address, port, timeout)


def wait_until(check, timeout: float = 5.0, step: float = 0.005) -> float:
    """Seconds until ``check()`` is true; raises TimeoutError."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(step)
    raise TimeoutError("condition not met")


@contextmanager
def listener(ns: str | None, address: str, port: int):
    """A TCP server in ``ns`` answering each connection with the peer's address; yields a
    list of the peers seen."""
    server = netns.call(ns, socket.create_server, (address, port))
    server.settimeout(0.2)
    peers: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except OSError:
                continue
            peers.append(peer[0])
            conn.sendall(peer[0].encode())
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield peers
    finally:
        stop.set()
        thread.join(2)
        server.close()


def read_from(ns: str | None, address: str, port: int, payload: bytes = b"",
              timeout: float = 2.0) -> str:
    def get() -> str:
        with socket.create_connection((address, port), timeout=timeout) as conn:
            conn.sendall(payload)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks).decode(errors="replace")

    return netns.call(ns, get)


def snapshot(prefix: str, host_ns: str) -> str:
    """Everything the driver shapes, as text, to compare before/after."""
    parts = [netns.execute(host_ns, ["nft", "list", "ruleset"]).stdout,
             _addresses(host_ns)]
    for ns in netns.list_names(prefix, "router_ns"):
        parts += [netns.execute(ns, ["nft", "list", "ruleset"]).stdout,
                  _addresses(ns),
                  netns.execute(ns, ["ip", "route"]).stdout]
    lines = [line.split("@")[0] + " " + " ".join(line.split()[1:]) if "@" in line else line
             for part in parts for line in part.splitlines()]
    return "\n".join(sorted(lines))  # interface order follows (re)creation: ignore it


def _addresses(ns: str) -> str:
    """``ip -br addr`` without the operational state (a veth flips UNKNOWN/UP)."""
    lines = netns.execute(ns, ["ip", "-br", "addr"]).stdout.splitlines()
    return "\n".join(" ".join(line.split()[:1] + line.split()[2:]) for line in lines)
