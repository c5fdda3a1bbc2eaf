"""The host namespace's nftables for the linux network driver, rendered as one script.

Three tables of the prefix, replaced in one ``nft -f`` transaction whenever a network
changes (so a rule change takes effect at once and the kernel never sees half). A port
that is plugged, changed or unplugged changes only its own chains and elements, also in
one transaction (``port_delta``): replacing whole tables costs ~16 ms of kernel time,
a port's delta well under 1 ms.

* ``{prefix}f<sg>``, families ``bridge`` + ``inet``: security groups of every plugged
  port (``nft.render_security_groups``), keyed by the port's host-side interface NAME, so
  rules exist before the compute driver makes the interface; a conntrack zone per
  network (a stable number derived from the network id).
* ``{prefix}f<guard>`` family ``inet`` (host protection): nothing from our bridges
  reaches the host itself (NEW connections to any local address, e.g. the API on
  172.24.4.1 or 0.0.0.0, are dropped in ``input``; replies to the host's own connections
  pass), and nothing is routed between our bridges and any other interface (``forward``):
  instances never reach the uplink, the outside never reaches instances.
* ``{prefix}f<guard>`` family ``bridge``: frames from or to a port-named interface of the
  prefix that the driver does not know (not plugged, not a router leg) are dropped, so
  an instance interface made before its rules is closed, not open. (Kernel limitation:
  ``meta ibrname`` is unavailable, so this matches the name pattern ``{prefix}t*``; two
  deployments in one host namespace must not have prefixes where one plus ``t`` starts
  the other.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pocketstack.drivers.network.base import NetworkSpec, PortSpec
from pocketstack.host import names, nft

SG_TABLE, GUARD_TABLE = "secgroups", "guard"
ND_TYPES = "nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert"


def bridge_name(prefix: str, network_id: str) -> str:
    return names.kernel_name(prefix, "bridge", network_id)


def port_name(prefix: str, port_id: str) -> str:
    return names.kernel_name(prefix, "port", port_id)


def zones(prefix: str, network_ids: Iterable[str]) -> dict[str, int]:
    """``{bridge: zone}``: a stable zone per network (hash of its id, probing on a clash
    in sorted id order, so the same networks always get the same zones)."""
    taken: dict[int, str] = {}
    result = {}
    for network_id in sorted(set(network_ids)):
        zone = int(hashlib.sha1(network_id.encode()).hexdigest(), 16) % 65000 + 1
        while zone in taken:
            zone = zone % 65000 + 1
        taken[zone] = network_id
        result[bridge_name(prefix, network_id)] = zone
    return result


def _rule(rule) -> nft.Rule:
    protocol = rule.protocol
    if protocol is not None and str(protocol).isdigit():
        protocol = int(protocol)
    return nft.Rule(rule.ethertype, protocol, rule.port_range_min, rule.port_range_max,
                    tuple(rule.remote_ips) or None)


def sg_port(prefix: str, spec: PortSpec) -> nft.Port:
    ips = tuple(f.ip_address for f in spec.fixed_ips) + tuple(
        a.split("/")[0] if a.endswith("/32") else a for a in spec.allowed_addresses)
    ipv4 = tuple(ip for ip in ips if ":" not in ip)
    rules = [_rule(r) for r in spec.rules]
    return nft.Port(port_name(prefix, spec.id), bridge_name(prefix, spec.network_id),
                    ipv4 or ("0.0.0.0/32",),
                    ingress=tuple(r for r, s in zip(rules, spec.rules) if s.direction == "ingress"),
                    egress=tuple(r for r, s in zip(rules, spec.rules) if s.direction == "egress"))


def _set(values: Iterable[str]) -> str:
    values = sorted(set(values))
    quoted = ", ".join(f'"{value}"' for value in values)
    return f" elements = {{ {quoted} }};" if values else ""


def render_guard(prefix: str, bridges: Iterable[str], known_ports: Iterable[str]) -> str:
    table = names.kernel_name(prefix, "table", GUARD_TABLE)
    ours = _set(bridges)
    inet = (
        f"  set bridges {{ type ifname;{ours} }}\n"
        "  chain input { type filter hook input priority filter - 10; policy accept;\n"
        "    iifname @bridges ct state established,related accept\n"
        f"    iifname @bridges icmpv6 type {{ {ND_TYPES} }} accept\n"
        "    iifname @bridges drop\n  }\n"
        "  chain forward { type filter hook forward priority filter - 10; policy accept;\n"
        "    iifname @bridges oifname != @bridges drop\n"
        "    oifname @bridges iifname != @bridges drop\n  }\n"
    )
    pattern = f'"{prefix}{names.KINDS["port"]}*"'
    bridge = (
        f"  set known {{ type ifname;{_set(known_ports)} }}\n"
        "  chain forward { type filter hook forward priority -190; policy accept;\n"
        f"    iifname {pattern} iifname != @known drop\n"
        f"    oifname {pattern} oifname != @known drop\n  }}\n"
    )
    return nft._replace("inet", table, inet) + nft._replace("bridge", table, bridge)


def host_zones(prefix: str, networks: Iterable[NetworkSpec],
               ports: Iterable[PortSpec]) -> dict[str, int]:
    """``{bridge: zone}`` of the host tables. No zone for external networks: the host
    talks to them itself (its own connections are tracked in zone 0) and their addresses
    never overlap."""
    return zones(prefix, [n.id for n in networks if not n.external]
                 + [p.network_id for p in ports])


def render_host(prefix: str, networks: Iterable[NetworkSpec], ports: Iterable[PortSpec],
                router_legs: Iterable[str], indexes: dict[str, int] | None = None) -> str:
    """The whole host script: security groups, host protection, unknown-port guard.
    ``indexes``: each guarded port's index in the security group table (by interface)."""
    networks, ports = list(networks), list(ports)
    guarded = [sg_port(prefix, p) for p in ports if p.security_enabled]
    table = names.kernel_name(prefix, "table", SG_TABLE)
    known = [port_name(prefix, p.id) for p in ports] + list(router_legs)
    return (nft.render_security_groups(table, guarded, host_zones(prefix, networks, ports),
                                       indexes)
            + render_guard(prefix, [bridge_name(prefix, n.id) for n in networks], known))


def port_delta(prefix: str, old: PortSpec | None, new: PortSpec | None,
               old_index: int | None, new_index: int | None) -> str:
    """Commands that take the host tables from ``old`` to ``new`` (None: not plugged) for
    one port, touching only that port's chains and elements; ``old_index``/``new_index``
    are its index in the security group table before and after (None: not guarded)."""
    table = names.kernel_name(prefix, "table", SG_TABLE)
    guard = names.kernel_name(prefix, "table", GUARD_TABLE)
    ifname = port_name(prefix, (new or old).id)
    script = ""
    if old_index is not None and new_index is not None:
        script += nft.port_changed(table, new_index, sg_port(prefix, new))
    elif old_index is not None:
        script += nft.port_removed(table, old_index, ifname)
    elif new_index is not None:
        script += nft.port_added(table, new_index, sg_port(prefix, new))
    if old is None and new is not None:
        script += f'add element bridge {guard} known {{ "{ifname}" }}\n'
    elif old is not None and new is None:
        script += f'delete element bridge {guard} known {{ "{ifname}" }}\n'
    return script
