"""The linux network driver: Neutron's model on bridges, namespaces and nftables.

All host-side objects live in the agent's host namespace (``host_ns``: ``None`` = the
namespace this process runs in; ``settings.extra["host_ns"]`` names another, for tests).

* Network = bridge ``kernel_name(prefix, "bridge", id)``: no address for tenant networks;
  an external network's bridge holds its subnets' gateway IPs (e.g. 172.24.4.1/24), so
  the host reaches floating IPs directly.
* Port = rules only. The compute driver makes the veth (host end
  ``kernel_name(prefix, "port", port_id)`` on the bridge); this driver enforces the port's
  security groups on that interface NAME (``linux_rules``), so rules may come first.
* Router = namespace ``kernel_name(prefix, "router_ns", id)`` with ``ip_forward=1`` inside
  only; per leg a veth (host end ``kernel_name(prefix, "port", leg_port_id)`` on the
  leg's bridge, router end ``kernel_name(prefix, "peer", leg_port_id)`` holding the
  leg's IP); the gateway leg carries the default route via the external subnet's gateway
  and the floating IPs as /32s; nftables table ``kernel_name(prefix, "table", id)``
  (``nft.render_router``: SNAT, floating IP maps, hairpin). ``169.254.169.254/32`` on
  its ``lo`` and a metadata listener inside (``metadata_listener``).
* Host protection (``linux_rules.render_guard``): instances never open connections to the
  host itself, and nothing is routed between our bridges and other interfaces.
  Reaching the outside world from instances (``settings.extra["allow_egress"]``) is NOT
  available in this build: asking for it fails at start rather than being ignored.

What was applied is remembered in ``<data_dir>/network/applied.json`` (``linux_state``)
so a restarted driver renders whole tables and maps kernel names back to ids. After that
first whole render, a port's plug, change or unplug touches only its own chains and
elements (``linux_rules.port_delta``); networks and router legs render whole tables.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
import threading

from pocketstack.config import Settings
from pocketstack.drivers.network import linux_rules
from pocketstack.drivers.network.base import (
    FloatingIpSpec,
    HostInventory,
    NetworkCapabilities,
    NetworkSpec,
    PortSpec,
    RouterLeg,
    RouterSpec,
)
from pocketstack.drivers.network.linux_state import AppliedState
from pocketstack.drivers.network.metadata_listener import ADDRESS, MetadataListeners, Responder
from pocketstack.errors import DriverError
from pocketstack.host import links, names, netns, nft
from pocketstack.host.proc import HostError, run

HOST_ERRORS = (HostError, OSError, subprocess.SubprocessError)


def _temporary(message: str) -> DriverError:
    return DriverError(message, permanent=False)


class LinuxNetworkDriver:
    capabilities = NetworkCapabilities(real_networking=True)

    def __init__(self, settings: Settings, responder: Responder | None = None) -> None:
        if settings.extra.get("allow_egress"):
            raise ValueError("allow_egress is not available in this build: instances reach "
                             "only the host's floating IPs, never the outside world")
        self.prefix = names.check_prefix(settings.prefix)
        self.ns: str | None = settings.extra.get("host_ns")
        self.state = AppliedState(str(settings.data_dir / "network" / "applied.json"))
        self.metadata = MetadataListeners(responder)
        self._lock = threading.RLock()
        # Each guarded port's index in the security group table (by interface name) and
        # the zones, as last applied whole; None until then (e.g. after a restart).
        self._sg_index: dict[str, int] | None = None
        self._zones: dict[str, int] = {}
        if netns.get_sysctl(self.ns, "net.bridge.bridge-nf-call-iptables") != "1":
            nft.enable_br_netfilter(self.ns)

    # names

    def _bridge(self, network_id: str) -> str:
        return linux_rules.bridge_name(self.prefix, network_id)

    def floating_ip_device(self, network_id: str) -> str:
        """The host interface through which the host reaches the floating IPs of external
        network ``network_id`` (its bridge, holding the gateway IP): a socket bound to it
        cannot leave the machine by another route."""
        return self._bridge(network_id)

    def _router_ns(self, router_id: str) -> str:
        return names.kernel_name(self.prefix, "router_ns", router_id)

    def _table(self, router_id: str) -> str:
        return names.kernel_name(self.prefix, "table", router_id)

    def _leg_if(self, leg: RouterLeg) -> str:
        return names.kernel_name(self.prefix, "peer", leg.port_id)

    def serve_metadata(self, responder: Responder) -> None:
        """Answer metadata requests with ``responder(router_id, source_ip, path)``."""
        self.metadata.responder = responder

    # host tables

    def _apply_host(self) -> None:
        """Replace the whole host tables (networks, router legs, after a restart)."""
        legs = []
        for router in self.state.all("routers").values():
            legs += [linux_rules.port_name(self.prefix, leg.port_id) for leg in _legs(router)]
        networks, ports = self.state.all("networks").values(), self.state.all("ports").values()
        indexes = self._indexes_for(ports)
        self._sg_index = None  # unknown until the kernel took the new tables
        nft.apply(linux_rules.render_host(self.prefix, networks, ports, legs, indexes), self.ns)
        self._sg_index, self._zones = indexes, linux_rules.host_zones(self.prefix, networks,
                                                                      ports)

    def _indexes_for(self, ports) -> dict[str, int]:
        """Indexes for the guarded ``ports``: those already applied keep theirs."""
        wanted = sorted(linux_rules.port_name(self.prefix, p.id) for p in ports
                        if p.security_enabled)
        if len(wanted) > nft.MAX_PORTS:
            raise ValueError("too many ports for one security group table")
        kept = set(wanted)
        indexes = {name: i for name, i in (self._sg_index or {}).items() if name in kept}
        taken = set(indexes.values())
        free = (i for i in range(1, nft.MAX_PORTS + 1) if i not in taken)
        return {**indexes, **{name: next(free) for name in wanted if name not in indexes}}

    def _apply_port(self, old: PortSpec | None, new: PortSpec | None) -> None:
        """One port changed (the state already says ``new``): one transaction touching
        only its chains and elements. The whole tables are rendered instead for the first
        change since start (the indexes in the kernel are unknown), when the conntrack
        zones change, or when the kernel refuses the delta (tables changed behind us)."""
        delta = self._port_delta(old, new)
        if delta is None:
            self._apply_host()
            return
        script, indexes = delta
        try:
            nft.apply(script, self.ns)
        except HostError:
            self._apply_host()
            return
        self._sg_index = indexes

    def _port_delta(self, old: PortSpec | None, new: PortSpec | None):
        if self._sg_index is None or self._zones != linux_rules.host_zones(
                self.prefix, self.state.all("networks").values(),
                self.state.all("ports").values()):
            return None
        indexes = dict(self._sg_index)
        ifname = linux_rules.port_name(self.prefix, (new or old).id)
        old_index = indexes.pop(ifname, None)
        if (old_index is None) == (old is not None and old.security_enabled):
            return None  # the tables do not hold what we think
        new_index = None
        if new is not None and new.security_enabled:
            new_index = old_index or _free_index(indexes.values())
            indexes[ifname] = new_index
        return linux_rules.port_delta(self.prefix, old, new, old_index, new_index), indexes

    def _guarded(self, what: str, fn, *args) -> None:
        try:
            with self._lock:
                fn(*args)
        except HOST_ERRORS as error:
            raise _temporary(f"Could not {what}: {error}") from error

    # networks

    def ensure_network(self, spec: NetworkSpec) -> None:
        self._guarded(f"set up network {spec.id}", self._ensure_network, spec)

    def _ensure_network(self, spec: NetworkSpec) -> None:
        bridge = self._bridge(spec.id)
        cidrs = [f"{gw}/{ipaddress.ip_network(c).prefixlen}" for c in spec.cidrs
                 for gw in spec.gateway_ips if ipaddress.ip_address(gw) in ipaddress.ip_network(c)]
        self._refuse_taken(bridge, cidrs)
        links.ensure_bridge(bridge, self.ns, spec.mtu, cidrs[0] if cidrs else None)
        for cidr in cidrs[1:]:
            links.add_address(bridge, cidr, self.ns)
        links.set_up(bridge, self.ns, spec.admin_state_up)
        changed = self.state.get("networks", spec.id) != spec
        self.state.put("networks", spec.id, spec)
        if changed or not self._host_tables_present():
            self._apply_host()

    def _refuse_taken(self, bridge: str, cidrs: list[str]) -> None:
        """An external subnet that overlaps an address another interface of the host
        namespace holds (another deployment, the host's own LAN) would steal its routes:
        refuse it (permanent) rather than touch the host's routing."""
        if not cidrs:
            return
        wanted = [ipaddress.ip_network(c, strict=False) for c in cidrs]
        listing = run(["ip", "-j", "addr"], ns=self.ns).stdout or "[]"
        for link in json.loads(listing):
            for info in link.get("addr_info", []):
                held = ipaddress.ip_network(f"{info['local']}/{info['prefixlen']}",
                                            strict=False)
                if link.get("ifname") != bridge and any(
                        held.version == w.version and held.overlaps(w) for w in wanted):
                    raise DriverError(
                        f"{held} is already used by {link.get('ifname')} on this host; "
                        "choose another public range (public_cidr).")

    def _host_tables_present(self) -> bool:
        wanted = {names.kernel_name(self.prefix, "table", t)
                  for t in (linux_rules.SG_TABLE, linux_rules.GUARD_TABLE)}
        return wanted <= {name for _, name in nft.list_tables(self.prefix, self.ns)}

    def delete_network(self, network_id: str) -> None:
        self._guarded(f"remove network {network_id}", self._delete_network, network_id)

    def _delete_network(self, network_id: str) -> None:
        links.delete_link(self._bridge(network_id), self.ns)
        self.state.drop("networks", network_id)
        self._apply_host()

    # ports

    def plug_port(self, spec: PortSpec) -> None:
        if not links.link_exists(self._bridge(spec.network_id), self.ns):
            raise _temporary(f"Network {spec.network_id} is not on this host.")
        self._guarded(f"apply the rules of port {spec.id}", self._plug_port, spec)

    def _plug_port(self, spec: PortSpec) -> None:
        old = self.state.get("ports", spec.id)
        self.state.put("ports", spec.id, spec)
        if self._sg_index is None:
            self._apply_host()
        elif old != spec:
            self._apply_port(old, spec)  # renders whole if the tables went
        elif not self._host_tables_present():
            self._apply_host()
        if old is not None:
            gone = {f.ip_address for f in old.fixed_ips} - {f.ip_address for f in spec.fixed_ips}
            self._forget_addresses(old.network_id, gone)

    def unplug_port(self, port_id: str) -> None:
        self._guarded(f"remove the rules of port {port_id}", self._unplug_port, port_id)

    def _unplug_port(self, port_id: str) -> None:
        old = self.state.drop("ports", port_id)
        if old is None:
            return
        self._apply_port(old, None)
        self._forget_addresses(old.network_id, {f.ip_address for f in old.fixed_ips})

    def _forget_addresses(self, network_id: str, addresses: set[str]) -> None:
        """A port's addresses went: routers drop their neighbour entries and NAT flows."""
        if not addresses:
            return
        networks = [n.id for n in self.state.all("networks").values() if not n.external]
        zone = linux_rules.zones(self.prefix, networks + [network_id]).get(
            self._bridge(network_id))
        for address in addresses:
            nft.flush_conntrack(self.ns, zone, address)
        for router_id, router in self.state.all("routers").items():
            ns = self._router_ns(router_id)
            for leg in _legs(router):
                if leg.network_id == network_id and netns.exists(ns):
                    for address in addresses:
                        links.flush_neighbour(address, self._leg_if(leg), ns)
                        nft.flush_conntrack(ns, address=address)

    # routers

    def ensure_router(self, spec: RouterSpec) -> None:
        for leg in _legs(spec):
            if not links.link_exists(self._bridge(leg.network_id), self.ns):
                raise _temporary(f"Network {leg.network_id} is not on this host.")
        self._guarded(f"set up router {spec.id}", self._ensure_router, spec)

    def _ensure_router(self, spec: RouterSpec) -> None:
        ns = self._router_ns(spec.id)
        netns.create(ns)
        if netns.get_sysctl(ns, "net.ipv4.ip_forward") != "1":
            netns.set_sysctl(ns, "net.ipv4.ip_forward", 1)
        links.add_address("lo", f"{ADDRESS}/32", ns)
        old_legs = {leg.port_id for leg in _legs(self.state.get("routers", spec.id))}
        self.state.put("routers", spec.id, spec)
        for leg in _legs(spec):
            gateway = spec.gateway.next_hop if spec.gateway and leg is spec.gateway.leg else None
            self._ensure_leg(ns, leg, gateway)
        wanted = {self._leg_if(leg) for leg in _legs(spec)}
        for name in links.list_links(self.prefix, ns, "peer"):
            if name not in wanted:
                links.delete_link(name, ns)
        self._apply_router(spec)
        if old_legs != {leg.port_id for leg in _legs(spec)} or not self._host_tables_present():
            self._apply_host()
        self.metadata.ensure(spec.id, ns)

    def _ensure_leg(self, ns: str, leg: RouterLeg, gateway: str | None) -> None:
        network = self.state.get("networks", leg.network_id)
        links.ensure_port(linux_rules.port_name(self.prefix, leg.port_id),
                          self._bridge(leg.network_id), ns, self._leg_if(leg),
                          mac=leg.mac_address, mtu=network.mtu if network else None,
                          cidrs=[f"{leg.ip_address}/{leg.prefix_length}"], gateway=gateway,
                          ns=self.ns)

    def _floating_on(self, router_id: str) -> dict[str, FloatingIpSpec]:
        return {f.floating_ip_address: f for f in self.state.all("floating_ips").values()
                if f.router_id == router_id}

    def _apply_router(self, spec: RouterSpec) -> None:
        ns, gateway = self._router_ns(spec.id), spec.gateway
        legs = [nft.RouterLeg(self._leg_if(leg), leg.ip_address,
                              str(ipaddress.ip_network(f"{leg.ip_address}/{leg.prefix_length}",
                                                       strict=False)))
                for leg in spec.interfaces]
        floating = self._floating_on(spec.id) if gateway else {}
        external_if = self._leg_if(gateway.leg) if gateway else names.kernel_name(
            self.prefix, "peer", "nogateway")
        external_ip = gateway.leg.ip_address if gateway and gateway.enable_snat else None
        nft.apply(nft.render_router(self._table(spec.id), external_if, external_ip, legs,
                                    {a: f.fixed_ip_address for a, f in floating.items()}), ns)
        for address in floating:
            links.add_address(external_if, f"{address}/32", ns)

    def delete_router(self, router_id: str) -> None:
        self._guarded(f"remove router {router_id}", self._delete_router, router_id)

    def _delete_router(self, router_id: str) -> None:
        self.metadata.stop(router_id)
        for fip in self._floating_on(router_id).values():
            self.state.drop("floating_ips", fip.id)
            self._flush_host_neighbour(fip.floating_ip_address)
        spec = self.state.get("routers", router_id)
        netns.delete(self._router_ns(router_id))
        for leg in _legs(spec):  # the veths went with the namespace; make sure
            links.delete_link(linux_rules.port_name(self.prefix, leg.port_id), self.ns)
        if self.state.drop("routers", router_id) is not None:
            self._apply_host()

    # floating IPs

    def ensure_floating_ip(self, spec: FloatingIpSpec) -> None:
        router = self.state.get("routers", spec.router_id)
        if router is None or router.gateway is None or not netns.exists(
                self._router_ns(spec.router_id)):
            raise _temporary(f"Router {spec.router_id} has no gateway on this host.")
        self._guarded(f"carry floating IP {spec.floating_ip_address}", self._ensure_fip, spec,
                      router)

    def _ensure_fip(self, spec: FloatingIpSpec, router: RouterSpec) -> None:
        old = self.state.get("floating_ips", spec.id)
        if old is not None and old != spec:
            self._unload(old)
        ns, external_if = self._router_ns(spec.router_id), self._leg_if(router.gateway.leg)
        links.add_address(external_if, f"{spec.floating_ip_address}/32", ns)
        nft.add_floating_ip(self._table(spec.router_id), spec.floating_ip_address,
                            spec.fixed_ip_address, ns)
        self.state.put("floating_ips", spec.id, spec)
        if old != spec:
            self._flush_host_neighbour(spec.floating_ip_address)

    def remove_floating_ip(self, floating_ip_id: str) -> None:
        self._guarded(f"remove floating IP {floating_ip_id}", self._remove_fip, floating_ip_id)

    def _remove_fip(self, floating_ip_id: str) -> None:
        old = self.state.get("floating_ips", floating_ip_id)
        if old is not None:
            self._unload(old)
            self.state.drop("floating_ips", floating_ip_id)

    def _unload(self, spec: FloatingIpSpec) -> None:
        router, ns = self.state.get("routers", spec.router_id), self._router_ns(spec.router_id)
        if router is not None and router.gateway is not None and netns.exists(ns):
            nft.remove_floating_ip(self._table(spec.router_id), spec.floating_ip_address,
                                   spec.fixed_ip_address, ns)
            links.remove_address(self._leg_if(router.gateway.leg),
                                 f"{spec.floating_ip_address}/32", ns)
        self._flush_host_neighbour(spec.floating_ip_address)

    def _flush_host_neighbour(self, address: str) -> None:
        for network in self.state.all("networks").values():
            if network.external:
                links.flush_neighbour(address, self._bridge(network.id), self.ns)

    # mark and sweep

    def inventory(self) -> HostInventory:
        def ids(kind: str, found: list[str]) -> frozenset[str]:
            known = {names.fragment(key): key for key in self.state.all(kind)}
            fragments = [names.parse(self.prefix, name).fragment for name in found]
            return frozenset(known.get(frag, frag) for frag in fragments)

        with self._lock:
            return HostInventory(
                networks=ids("networks", links.list_links(self.prefix, self.ns, "bridge")),
                ports=frozenset(self.state.all("ports")),
                routers=ids("routers", netns.list_names(self.prefix, "router_ns")),
                floating_ips=frozenset(self.state.all("floating_ips")))

    def close(self) -> None:
        """Stop the metadata listeners (kernel objects stay, for the next start)."""
        self.metadata.stop_all()


def _free_index(used) -> int:
    """The smallest port index (1..0xffff) not in ``used``."""
    taken = set(used)
    return next(i for i in range(1, len(taken) + 2) if i not in taken)


def _legs(router: RouterSpec | None) -> list[RouterLeg]:
    if router is None:
        return []
    return list(router.interfaces) + ([router.gateway.leg] if router.gateway else [])


def purge(prefix: str, ns: str | None = None) -> None:
    """Remove every network object of ``prefix``: router namespaces (and any other
    namespace of the prefix), links and nftables tables in ``ns`` (``pocketstack purge``;
    instances go first, through the compute driver's purge)."""
    for name in netns.list_names(prefix):
        netns.delete(name)
    links.sweep(prefix, ns=ns)
    nft.delete_tables(prefix, ns)
