"""nftables rulesets, rendered as text and applied atomically with ``nft -f -``.

Each ``render_*`` function returns a complete script that replaces its tables in one
transaction (``table X {}; delete table X; table X {...}``): the kernel never sees half a
ruleset, and applying the same text twice changes nothing. Table names carry the
deployment prefix (``names.kernel_name(prefix, "table", id)``) so ``delete_tables`` can
sweep them. Every call takes the namespace it works in (``None`` = the caller's own).

Router (inside a router namespace, family ``ip``):
  * ``dnat`` floating IP -> fixed IP in prerouting and output (maps ``fip_dnat``),
  * ``snat`` fixed IP -> its floating IP when leaving by the external leg (``fip_snat``),
  * ``snat`` the rest of each attached subnet to the router's external IP,
  * hairpin: a DNATed flow leaving by the leg it came from is SNATed to that leg's
    gateway IP, so the reply comes back through the router.
  The floating IP itself must also be a /32 on the external leg (``links.add_address``)
  so the router answers ARP for it.

Security groups (host namespace, where instances cannot touch them): with br_netfilter,
bridged IPv4/IPv6 passes the ``inet`` forward hook, but there the interfaces are the
bridge, not the ports. So a ``bridge`` table (which has no conntrack on this kernel) only
tags each packet: mark bits 0-15 = index of the port it goes out to, bits 16-31 = index of
the port it came in from. The ``inet`` table then, statefully: accepts established and
related, runs the source port's egress chain (``return`` when allowed, else drop), then
the destination port's ingress chain (``accept`` when allowed, else drop). Packets to or
from untagged interfaces (router legs, load balancers) pass those chains untouched.
Conntrack zones are set per network in raw prerouting so overlapping CIDRs stay apart.
Port indexes are assigned at render time (sorted by name) unless the caller fixes them;
with fixed indexes ``port_added``/``port_changed``/``port_removed`` change one port's
chains and elements alone. Established flows do not depend on the indexes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pocketstack.host import libnftables, names
from pocketstack.host.netns import set_sysctl
from pocketstack.host.proc import HostError, in_netns, run

MAX_PORTS = 0xFFFF


@dataclass(frozen=True)
class RouterLeg:
    """An internal leg of a router: interface in the router netns, its gateway IP, subnet."""

    ifname: str
    gateway_ip: str
    subnet: str


@dataclass(frozen=True)
class Rule:
    """One allow rule. ``remote_cidrs=None`` means anywhere; an empty tuple matches nothing
    (a remote group with no members). ``protocol``: tcp, udp, icmp, a number, or None.
    For icmp ``port_min`` is the ICMP type (Neutron's convention)."""

    ethertype: str = "IPv4"
    protocol: str | int | None = None
    port_min: int | None = None
    port_max: int | None = None
    remote_cidrs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Port:
    """A port under security groups: its host-side interface, bridge, fixed IPs, rules.
    ``ips`` non-empty turns on anti-spoofing (IPv4 source must be one of them)."""

    ifname: str
    bridge: str
    ips: tuple[str, ...] = ()
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = field(default=(Rule("IPv4"), Rule("IPv6")))


def _replace(family: str, table: str, body: str) -> str:
    return f"table {family} {table} {{}}\ndelete table {family} {table}\n" \
           f"table {family} {table} {{\n{body}}}\n"


def _elements(pairs: Iterable[str]) -> str:
    pairs = list(pairs)
    return f" elements = {{ {', '.join(pairs)} }};" if pairs else ""


def render_router(table: str, external_if: str, external_ip: str | None,
                  legs: Iterable[RouterLeg], floating: Mapping[str, str]) -> str:
    """Ruleset of a router namespace. ``floating`` maps floating IP -> fixed IP.
    ``external_ip=None`` means no gateway SNAT (only floating IPs and hairpin)."""
    legs = list(legs)
    dnat = _elements(f"{fip} : {fixed}" for fip, fixed in sorted(floating.items()))
    snat = _elements(f"{fixed} : {fip}" for fip, fixed in sorted(floating.items()))
    post = [f'    oifname "{leg.ifname}" ip saddr {leg.subnet} ct status dnat '
            f"snat to {leg.gateway_ip}" for leg in legs]
    post.append(f'    oifname "{external_if}" snat to ip saddr map @fip_snat')
    if external_ip and legs:
        subnets = ", ".join(leg.subnet for leg in legs)
        post.append(f'    oifname "{external_if}" ip saddr {{ {subnets} }} snat to {external_ip}')
    body = (
        f"  map fip_dnat {{ type ipv4_addr : ipv4_addr;{dnat} }}\n"
        f"  map fip_snat {{ type ipv4_addr : ipv4_addr;{snat} }}\n"
        "  chain prerouting { type nat hook prerouting priority dstnat; policy accept;\n"
        "    dnat to ip daddr map @fip_dnat\n  }\n"
        "  chain output { type nat hook output priority -100; policy accept;\n"
        "    dnat to ip daddr map @fip_dnat\n  }\n"
        "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;\n"
        + "\n".join(post) + "\n  }\n"
    )
    return _replace("ip", table, body)


def add_floating_ip(table: str, fip: str, fixed: str, ns: str | None = None) -> None:
    """Add one floating IP mapping to a router table (fast path; idempotent).

    Adding elements is cheap and adding an identical one succeeds; only when the kernel
    refuses (a stale mapping of either address) are the old ones removed first, since a
    failed or deleting transaction costs an RCU grace period (~15 ms) in the kernel."""
    script = (f"add element ip {table} fip_dnat {{ {fip} : {fixed} }}\n"
              f"add element ip {table} fip_snat {{ {fixed} : {fip} }}\n")
    try:
        apply(script, ns)
    except HostError:
        remove_floating_ip(table, fip, fixed, ns, flush_conntrack=False)
        apply(script, ns)


def remove_floating_ip(table: str, fip: str, fixed: str, ns: str | None = None,
                       flush_conntrack: bool = True) -> None:
    """Remove a floating IP mapping (no-op when absent) and its NATed conntrack entries."""
    doomed = [f"delete element ip {table} {name} {{ {key} }}\n"
              for name, key in (("fip_dnat", fip), ("fip_snat", fixed))]
    try:
        apply("".join(doomed), ns)  # both there: one transaction
    except HostError:
        for command in doomed:
            try:
                apply(command, ns)
            except HostError:
                pass  # not there
    if flush_conntrack:
        run(["conntrack", "-D", "--orig-dst", fip], ns=ns, check=False)
        run(["conntrack", "-D", "--orig-src", fixed], ns=ns, check=False)


def _match(rule: Rule, direction: str) -> str | None:
    v6 = rule.ethertype.lower() == "ipv6"
    parts = [f"meta nfproto {'ipv6' if v6 else 'ipv4'}"]
    if rule.remote_cidrs is not None:
        if not rule.remote_cidrs:
            return None
        addr = "saddr" if direction == "ingress" else "daddr"
        parts.append(f"{'ip6' if v6 else 'ip'} {addr} {{ {', '.join(rule.remote_cidrs)} }}")
    proto = rule.protocol
    if proto in ("icmp", "ipv6-icmp", "icmpv6", 1, 58):
        parts.append(f"meta l4proto {'ipv6-icmp' if v6 else 'icmp'}")
        if rule.port_min is not None:
            parts.append(f"{'icmpv6' if v6 else 'icmp'} type {rule.port_min}")
    elif proto is not None:
        parts.append(f"meta l4proto {proto}")
        if rule.port_min is not None:
            high = rule.port_max if rule.port_max is not None else rule.port_min
            ports = str(rule.port_min) if high == rule.port_min else f"{rule.port_min}-{high}"
            parts.append(f"th dport {ports}")
    return " ".join(parts)


def _egress_rules(port: Port) -> list[str]:
    rules = []
    if port.ips:
        rules.append(f"meta nfproto ipv4 ip saddr != {{ {', '.join(port.ips)} }} drop")
    rules += [f"{m} return" for m in (_match(r, "egress") for r in port.egress) if m]
    return [*rules, "drop"]


def _ingress_rules(port: Port) -> list[str]:
    return [*(f"{m} accept" for m in (_match(r, "ingress") for r in port.ingress) if m), "drop"]


def _port_chains(index: int, port: Port) -> str:
    return "".join(f"  chain {name} {{\n" + "".join(f"    {rule}\n" for rule in rules) + "  }\n"
                   for name, rules in ((f"e{index}", _egress_rules(port)),
                                       (f"i{index}", _ingress_rules(port))))


def _indexed(ports: Iterable[Port], indexes: Mapping[str, int] | None) -> list[tuple[int, Port]]:
    ports = sorted(ports, key=lambda port: port.ifname)
    if indexes is None:
        return list(enumerate(ports, start=1))
    indexed = sorted((indexes[port.ifname], port) for port in ports)
    if len({i for i, _ in indexed}) != len(indexed) or not all(
            0 < i <= MAX_PORTS for i, _ in indexed):
        raise ValueError("port indexes must be distinct, from 1 to 0xffff")
    return indexed


def render_security_groups(table: str, ports: Iterable[Port],
                           zones: Mapping[str, int],
                           indexes: Mapping[str, int] | None = None) -> str:
    """Bridge tagging + stateful ``inet`` filtering for ``ports``; ``zones`` maps a bridge
    name to its conntrack zone (1-65535), one per network. ``indexes`` (interface name →
    1..0xffff) fixes each port's index, so that ``port_delta`` can later change one port
    alone; by default ports are numbered in name order."""
    ports = list(ports)
    if len(ports) > MAX_PORTS:
        raise ValueError("too many ports for one security group table")
    indexed = _indexed(ports, indexes)
    tag_in = _elements(f'"{p.ifname}" : {i:#x}' for i, p in indexed)
    tag_out = _elements(f'"{p.ifname}" : jump o{i}' for i, p in indexed)
    out_chains = "".join(f"  chain o{i} {{ {_tag_rule(i)}; }}\n" for i, _ in indexed)
    bridge = (
        f"  map port_in {{ type ifname : mark;{tag_in} }}\n"
        f"  map port_out {{ type ifname : verdict;{tag_out} }}\n"
        + out_chains +
        "  chain forward { type filter hook forward priority -200; policy accept;\n"
        "    meta mark set oifname map @port_in\n"
        "    iifname vmap @port_out\n  }\n"
    )
    missing = {p.bridge for p in ports} - set(zones)
    if missing:
        raise ValueError(f"no conntrack zone for bridges {sorted(missing)}")
    # With br_netfilter, raw prerouting sees the bridge as iifname (not the port).
    zone_elems = _elements(f'"{name}" : {zone}' for name, zone in sorted(zones.items()))
    egress_map = _elements(f"{i << 16:#x} : jump e{i}" for i, _ in indexed)
    ingress_map = _elements(f"{i:#x} : jump i{i}" for i, _ in indexed)
    inet = (
        f"  map zone {{ typeof iifname : ct zone;{zone_elems} }}\n"
        "  chain raw { type filter hook prerouting priority raw; policy accept;\n"
        "    ct zone set iifname map @zone\n  }\n"
        f"  map egress {{ type mark : verdict;{egress_map} }}\n"
        f"  map ingress {{ type mark : verdict;{ingress_map} }}\n"
        + "".join(_port_chains(i, p) for i, p in indexed) +
        "  chain forward { type filter hook forward priority filter; policy accept;\n"
        "    ct state established,related accept\n"
        "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit,"
        " nd-router-advert } accept\n"
        "    meta mark and 0xffff0000 vmap @egress\n"
        "    meta mark and 0x0000ffff vmap @ingress\n  }\n"
    )
    return _replace("bridge", table, bridge) + _replace("inet", table, inet)


def _tag_rule(index: int) -> str:
    return f"meta mark set meta mark or {index << 16:#x}"


def port_added(table: str, index: int, port: Port) -> str:
    """Commands that add ``port`` at ``index`` to a table ``render_security_groups`` made
    (its chains and map elements), for one transaction with other changes."""
    lines = [f"add chain bridge {table} o{index}",
             f"add rule bridge {table} o{index} {_tag_rule(index)}",
             f'add element bridge {table} port_in {{ "{port.ifname}" : {index:#x} }}',
             f'add element bridge {table} port_out {{ "{port.ifname}" : jump o{index} }}',
             f"add chain inet {table} e{index}", f"add chain inet {table} i{index}"]
    lines += _port_rules(table, index, port)
    lines += [f"add element inet {table} egress {{ {index << 16:#x} : jump e{index} }}",
              f"add element inet {table} ingress {{ {index:#x} : jump i{index} }}"]
    return "".join(line + "\n" for line in lines)


def port_changed(table: str, index: int, port: Port) -> str:
    """Commands that replace the rules of the port at ``index`` (chains flushed, refilled:
    in one transaction no packet sees them empty)."""
    lines = [f"flush chain inet {table} e{index}", f"flush chain inet {table} i{index}"]
    return "".join(line + "\n" for line in lines + _port_rules(table, index, port))


def port_removed(table: str, index: int, ifname: str) -> str:
    """Commands that remove the port at ``index`` (interface ``ifname``): map elements
    first, then its emptied chains."""
    lines = [f'delete element bridge {table} port_in {{ "{ifname}" }}',
             f'delete element bridge {table} port_out {{ "{ifname}" }}',
             f"delete element inet {table} egress {{ {index << 16:#x} }}",
             f"delete element inet {table} ingress {{ {index:#x} }}"]
    for family, chain in (("bridge", f"o{index}"), ("inet", f"e{index}"), ("inet", f"i{index}")):
        lines += [f"flush chain {family} {table} {chain}", f"delete chain {family} {table} {chain}"]
    return "".join(line + "\n" for line in lines)


def _port_rules(table: str, index: int, port: Port) -> list[str]:
    return [f"add rule inet {table} {chain} {rule}"
            for chain, rules in ((f"e{index}", _egress_rules(port)),
                                 (f"i{index}", _ingress_rules(port))) for rule in rules]


def flush_conntrack(ns: str | None = None, zone: int | None = None,
                    address: str | None = None) -> None:
    """Forget tracked flows (all, of a ``zone``, and/or to/from ``address``) in ``ns``, so a
    tightened security group also cuts flows it no longer allows. No-op when none match."""
    selectors = (["-w", str(zone)] if zone is not None else [])
    if address is None:
        run(["conntrack", "-D", *selectors], ns=ns, check=False)
        return
    for flag in ("--orig-src", "--orig-dst"):
        run(["conntrack", "-D", *selectors, flag, address], ns=ns, check=False)


def enable_br_netfilter(ns: str | None = None) -> None:
    """Send bridged IPv4/IPv6 through the ``inet`` hooks in ``ns``.

    Per network namespace on this kernel (6.18; default 1 in a new namespace). In the
    root namespace it affects every bridge of the host, ours or not.
    """
    set_sysctl(ns, "net.bridge.bridge-nf-call-iptables", 1)
    set_sysctl(ns, "net.bridge.bridge-nf-call-ip6tables", 1)


def apply(script: str, ns: str | None = None) -> None:
    """Apply ``script`` in one transaction (all or nothing); ``HostError`` on failure.

    Through libnftables inside this process when the library is there (what the ``nft``
    tool links to): a few elements take ~0.3 ms instead of ~3 ms for an exec of ``nft``.
    """
    if not libnftables.available():
        run(["nft", "-f", "-"], ns=ns, input=script)
        return
    in_netns(ns, libnftables.run, script)


def _query(command: str, ns: str | None = None) -> str:
    """JSON output of a read-only nft ``command`` (e.g. ``list tables``) in ``ns``."""
    if not libnftables.available():
        return run(["nft", "-j", *command.split()], ns=ns).stdout
    return in_netns(ns, libnftables.run, command, libnftables.OUTPUT_JSON)


def list_tables(prefix: str, ns: str | None = None) -> list[tuple[str, str]]:
    """``(family, name)`` of the tables of ``prefix`` in ``ns``."""
    listing = json.loads(_query("list tables", ns) or "{}")
    found = [(item["table"]["family"], item["table"]["name"])
             for item in listing.get("nftables", []) if "table" in item]
    return sorted(t for t in found if names.parse(prefix, t[1]))


def delete_tables(prefix: str, ns: str | None = None, keep: Iterable[str] = ()) -> list:
    """Delete every table of ``prefix`` in ``ns`` not named in ``keep``; return them."""
    doomed = [t for t in list_tables(prefix, ns) if t[1] not in set(keep)]
    if doomed:
        apply("".join(f"delete table {family} {name}\n" for family, name in doomed), ns)
    return doomed


def delete_table(family: str, name: str, ns: str | None = None) -> None:
    """Delete one table; no-op when absent."""
    apply(f"table {family} {name} {{}}\ndelete table {family} {name}\n", ns)
