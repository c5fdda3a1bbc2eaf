"""The network driver seam: what the agent asks of a host's networking, and what it promises.

Specs are read from desired state by the agent; a driver never reads the state store. Every
host object a driver makes is named from the deployment's prefix and the resource's ID, so
``inventory`` can list exactly this deployment's objects for mark and sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class NetworkCapabilities:
    """What a driver can do; the API may refuse (409) what the driver cannot."""

    real_networking: bool
    security_groups: bool = True
    floating_ips: bool = True
    snat: bool = True
    ipv6: bool = False
    max_mtu: int = 1500


@dataclass(frozen=True)
class NetworkSpec:
    """A layer-2 segment. ``external`` networks hold ``gateway_ips`` on the host itself so
    the host reaches floating IPs; tenant networks have no address on the host."""

    id: str
    name: str
    mtu: int = 1500
    external: bool = False
    admin_state_up: bool = True
    cidrs: tuple[str, ...] = ()
    gateway_ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecurityRule:
    """One allow rule as the host enforces it. ``remote_ips`` are prefixes; a rule naming a
    remote group arrives with that group's member addresses expanded (/32 or /128)."""

    direction: str  # "ingress" | "egress"
    ethertype: str  # "IPv4" | "IPv6"
    protocol: str | None = None  # IANA number as text ("6"), None for any
    port_range_min: int | None = None
    port_range_max: int | None = None
    remote_ips: tuple[str, ...] = ()  # empty: from/to anywhere


@dataclass(frozen=True)
class FixedIp:
    ip_address: str
    prefix_length: int
    gateway: str | None = None


@dataclass(frozen=True)
class PortSpec:
    """An instance's port. With ``security_enabled`` only traffic from the port's own
    addresses (and ``allowed_addresses``) leaves it, and only ``rules`` are allowed
    (stateful: replies to allowed traffic pass); without it everything passes."""

    id: str
    name: str
    network_id: str
    mac_address: str
    fixed_ips: tuple[FixedIp, ...] = ()
    admin_state_up: bool = True
    mtu: int = 1500
    security_enabled: bool = True
    rules: tuple[SecurityRule, ...] = ()
    allowed_addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouterLeg:
    """One router leg: an interface on ``network_id`` holding ``ip_address``."""

    port_id: str
    network_id: str
    mac_address: str
    ip_address: str
    prefix_length: int


@dataclass(frozen=True)
class RouterGateway:
    leg: RouterLeg
    next_hop: str | None = None  # the external subnet's gateway, the default route
    enable_snat: bool = True


@dataclass(frozen=True)
class RouterSpec:
    """A router: one leg per attached subnet, an optional gateway on an external network.
    With ``enable_snat`` the internal subnets reach the external network through the
    gateway address."""

    id: str
    name: str
    admin_state_up: bool = True
    interfaces: tuple[RouterLeg, ...] = ()
    gateway: RouterGateway | None = None


@dataclass(frozen=True)
class FloatingIpSpec:
    """``floating_ip_address`` on ``router_id``'s gateway leg, translated both ways to
    ``fixed_ip_address`` (hairpin included)."""

    id: str
    floating_ip_address: str
    fixed_ip_address: str
    router_id: str
    port_id: str


@dataclass(frozen=True)
class HostInventory:
    """IDs of every object of this deployment the host has, for mark and sweep."""

    networks: frozenset[str] = frozenset()
    ports: frozenset[str] = frozenset()
    routers: frozenset[str] = frozenset()
    floating_ips: frozenset[str] = frozenset()


class NetworkDriver(Protocol):
    """Every method is idempotent: ``ensure``/``plug`` converge an existing object to its
    spec (creating what is missing, removing what the spec no longer names) and
    ``delete``/``unplug``/``remove`` succeed when the object is already gone. A method that
    fails part-way raises DriverError (``permanent=False`` when retrying may help) and may
    leave a partial object that the next call with the same spec converges or removes.
    """

    capabilities: NetworkCapabilities

    def ensure_network(self, spec: NetworkSpec) -> None:
        """Make the network's segment (a bridge) exist as ``spec`` says."""

    def delete_network(self, network_id: str) -> None:
        """Remove the segment. Ports and router legs on it are removed by their owners
        first; a driver may refuse with a temporary DriverError while some remain."""

    def plug_port(self, spec: PortSpec) -> None:
        """Enforce ``spec``'s addresses and rules on the port's host-side interface, keyed by
        its NAME ``host.names.kernel_name(prefix, "port", port_id)`` (so rules may exist
        before the interface does). Temporary DriverError while the network is not on the
        host. The compute driver makes the veth pair: that host end, attached to the bridge
        ``kernel_name(prefix, "bridge", network_id)``, and the instance end (``eth0``…,
        with its IP, MAC and default route) in the instance's namespace."""

    def unplug_port(self, port_id: str) -> None:
        """Remove the port's host side and its rules."""

    def ensure_router(self, spec: RouterSpec) -> None:
        """Make the router exist with exactly the legs and gateway in ``spec``. Temporary
        DriverError while a leg's network is not on the host."""

    def delete_router(self, router_id: str) -> None:
        """Remove the router, its legs and the floating IPs it carried."""

    def ensure_floating_ip(self, spec: FloatingIpSpec) -> None:
        """Carry the floating IP on its router (moving it if it was on another one).
        Temporary DriverError while the router or its gateway is not on the host."""

    def remove_floating_ip(self, floating_ip_id: str) -> None:
        """Stop carrying the floating IP, wherever it is."""

    def inventory(self) -> HostInventory:
        """What this deployment has on the host now."""
