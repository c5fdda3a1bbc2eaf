"""The fake network driver: networks, ports, routers and floating IPs are records in memory.

A first-class driver for API tests and for users without root; it checks the ordering
contracts of ``NetworkDriver`` (a port needs its network, a floating IP its router's
gateway) so reconcilers are tested against them. Failures are injected with ``fail``: a
regular expression matched against resource names and floating IP addresses (from the
environment variable ``POCKETSTACK_FAKE_FAIL_NETWORK`` when the cloud runs as a process).
"""

from __future__ import annotations

import re
import threading

from pocketstack.drivers.network.base import (
    FloatingIpSpec,
    HostInventory,
    NetworkCapabilities,
    NetworkSpec,
    PortSpec,
    RouterSpec,
)
from pocketstack.errors import DriverError


class FakeNetworkDriver:
    capabilities = NetworkCapabilities(real_networking=False, ipv6=True)

    def __init__(self, fail: str | None = None, *, permanent: bool = True) -> None:
        self.networks: dict[str, NetworkSpec] = {}
        self.ports: dict[str, PortSpec] = {}
        self.routers: dict[str, RouterSpec] = {}
        self.floating_ips: dict[str, FloatingIpSpec] = {}
        self._lock = threading.Lock()
        self.inject_failure(fail, permanent=permanent)

    def inject_failure(self, pattern: str | None, *, permanent: bool = True) -> None:
        """Fail every call about a resource whose name (or address) matches ``pattern``."""
        self._fail = re.compile(pattern) if pattern else None
        self._permanent = permanent

    def _check(self, what: str, label: str) -> None:
        if self._fail and label and self._fail.search(label):
            raise DriverError(f"Injected failure for {what} {label}.", permanent=self._permanent)

    def ensure_network(self, spec: NetworkSpec) -> None:
        self._check("network", spec.name)
        with self._lock:
            self.networks[spec.id] = spec

    def delete_network(self, network_id: str) -> None:
        with self._lock:
            self.networks.pop(network_id, None)

    def plug_port(self, spec: PortSpec) -> None:
        self._check("port", spec.name)
        with self._lock:
            if spec.network_id not in self.networks:
                raise DriverError(f"Network {spec.network_id} is not on this host.",
                                  permanent=False)
            self.ports[spec.id] = spec

    def unplug_port(self, port_id: str) -> None:
        with self._lock:
            self.ports.pop(port_id, None)

    def ensure_router(self, spec: RouterSpec) -> None:
        self._check("router", spec.name)
        legs = list(spec.interfaces) + ([spec.gateway.leg] if spec.gateway else [])
        with self._lock:
            missing = [leg.network_id for leg in legs if leg.network_id not in self.networks]
            if missing:
                raise DriverError(f"Network {missing[0]} is not on this host.", permanent=False)
            self.routers[spec.id] = spec

    def delete_router(self, router_id: str) -> None:
        with self._lock:
            self.routers.pop(router_id, None)
            for fip_id in [f.id for f in self.floating_ips.values() if f.router_id == router_id]:
                del self.floating_ips[fip_id]

    def ensure_floating_ip(self, spec: FloatingIpSpec) -> None:
        self._check("floating IP", spec.floating_ip_address)
        with self._lock:
            router = self.routers.get(spec.router_id)
            if router is None or router.gateway is None:
                raise DriverError(f"Router {spec.router_id} has no gateway on this host.",
                                  permanent=False)
            self.floating_ips[spec.id] = spec

    def remove_floating_ip(self, floating_ip_id: str) -> None:
        with self._lock:
            self.floating_ips.pop(floating_ip_id, None)

    def inventory(self) -> HostInventory:
        with self._lock:
            return HostInventory(
                networks=frozenset(self.networks),
                ports=frozenset(self.ports),
                routers=frozenset(self.routers),
                floating_ips=frozenset(self.floating_ips),
            )
