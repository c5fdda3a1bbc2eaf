"""Deterministic, short kernel object names, and parsing them back for mark-and-sweep.

A name is ``{prefix}{kind}{fragment}``: the deployment prefix (1-6 chars, ``[a-z][a-z0-9]*``),
one kind letter, and an 8-char fragment derived from the resource id. That is at most 15
chars, the kernel's interface-name limit, and the same scheme is used for namespaces,
nftables tables, cgroups and instance directories so one sweep logic fits all.

The fragment is the first 8 chars of the id with dashes removed when that is ``[0-9a-z]``
(UUIDs: readable, ``ip link`` shows which port it is); otherwise 8 hex chars of its SHA-1.
Parsing gives back the kind and the fragment (not the id): a sweeper keeps an object when
``fragment(id)`` of some desired resource of that kind equals it.

Stdlib only: the instance init imports this package with the system python.
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

FRAGMENT_LEN = 8
MAX_PREFIX = 6
IFNAMSIZ = 15

#: Kind letters. Keep one letter each: names must stay within IFNAMSIZ.
KINDS = {
    "bridge": "b",  # tenant/external network bridge (host side)
    "port": "t",  # host end of a port's veth pair (on a bridge)
    "peer": "i",  # instance/router end of a veth before it is renamed in its netns
    "instance_ns": "n",  # network namespace of an instance
    "router_ns": "r",  # network namespace of a router
    "lb_ns": "l",  # network namespace of a load balancer
    "host_ns": "h",  # a test "host" namespace
    "table": "f",  # nftables table
    "cgroup": "c",  # an instance's cgroup
    "instance": "v",  # an instance's run directory / launcher
    "vxlan": "x",  # a VXLAN device
}
_LETTER_TO_KIND = {letter: kind for kind, letter in KINDS.items()}
_PREFIX_RE = re.compile(rf"^[a-z][a-z0-9]{{0,{MAX_PREFIX - 1}}}$")
_FRAGMENT_RE = re.compile(rf"^[0-9a-z]{{{FRAGMENT_LEN}}}$")


class Parsed(NamedTuple):
    kind: str
    fragment: str


def check_prefix(prefix: str) -> str:
    """Return ``prefix`` if valid (1-6 chars, lowercase letter then ``[a-z0-9]``), else raise."""
    if not _PREFIX_RE.match(prefix):
        raise ValueError(f"invalid name prefix {prefix!r}: need [a-z][a-z0-9]{{0,5}}")
    return prefix


def fragment(resource_id: str) -> str:
    """The 8-char id fragment used in names (deterministic, ``[0-9a-z]``)."""
    compact = resource_id.replace("-", "").lower()[:FRAGMENT_LEN]
    if _FRAGMENT_RE.match(compact):
        return compact
    return hashlib.sha1(resource_id.encode()).hexdigest()[:FRAGMENT_LEN]


def kernel_name(prefix: str, kind: str, resource_id: str) -> str:
    """Name of the ``kind`` object (a key of ``KINDS``) for ``resource_id``, <= 15 chars."""
    return f"{check_prefix(prefix)}{KINDS[kind]}{fragment(resource_id)}"


def parse(prefix: str, name: str) -> Parsed | None:
    """``(kind, fragment)`` when ``name`` was made by ``kernel_name`` with ``prefix``, else None.

    Names of another prefix never parse, even when one prefix starts with the other: the
    length is fixed by the prefix, so ``"ta"``'s names are one char too long for ``"t"``.
    """
    rest = name[len(prefix):] if name.startswith(prefix) else ""
    if len(rest) != 1 + FRAGMENT_LEN or rest[0] not in _LETTER_TO_KIND:
        return None
    if not _FRAGMENT_RE.match(rest[1:]):
        return None
    return Parsed(_LETTER_TO_KIND[rest[0]], rest[1:])


def owned(prefix: str, names, kind: str | None = None) -> list[str]:
    """The names among ``names`` that belong to ``prefix`` (and to ``kind`` when given)."""
    result = []
    for name in names:
        parsed = parse(prefix, name)
        if parsed and (kind is None or parsed.kind == kind):
            result.append(name)
    return result


def mac_for_ip(ip: str) -> str:
    """MAC derived from an IPv4 address: ``fa:16:3e`` + its last three bytes.

    A reused fixed IP then gets the same MAC, so no neighbour keeps a stale entry for it
    (HOST-NOTES: a new random MAC was black-holed ~5 s).
    """
    octets = [int(part) for part in ip.split("/")[0].split(".")]
    return "fa:16:3e:" + ":".join(f"{octet:02x}" for octet in octets[1:])
