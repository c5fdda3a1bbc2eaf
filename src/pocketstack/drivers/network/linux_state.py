"""What the linux network driver last applied, kept in a JSON file under the data dir.

Kernel names carry only an 8-char fragment of an id, and the security-group table and a
router's floating IPs are rendered from specs. So the driver remembers, per kind, the
specs it applied (``networks``, ``ports``, ``routers``, ``floating_ips``): after a
restart it can render the whole security-group table at once (no port is ever left out),
map kernel names back to ids for mark and sweep, and find a floating IP by id alone.
The file is a cache of what was applied, never desired state: the agent's resync and
sweep converge it like the kernel objects.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict

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

KINDS = ("networks", "ports", "routers", "floating_ips")


def _tuples(data: dict, *keys: str) -> dict:
    return {**data, **{key: tuple(data.get(key) or ()) for key in keys}}


def network_from(data: dict) -> NetworkSpec:
    return NetworkSpec(**_tuples(data, "cidrs", "gateway_ips"))


def port_from(data: dict) -> PortSpec:
    data = _tuples(data, "fixed_ips", "rules", "allowed_addresses")
    rules = tuple(SecurityRule(**_tuples(rule, "remote_ips")) for rule in data["rules"])
    return PortSpec(**{**data, "fixed_ips": tuple(FixedIp(**f) for f in data["fixed_ips"]),
                       "rules": rules})


def router_from(data: dict) -> RouterSpec:
    gateway = data.get("gateway")
    if gateway:
        gateway = RouterGateway(**{**gateway, "leg": RouterLeg(**gateway["leg"])})
    legs = tuple(RouterLeg(**leg) for leg in data.get("interfaces") or ())
    return RouterSpec(**{**data, "interfaces": legs, "gateway": gateway})


def floating_ip_from(data: dict) -> FloatingIpSpec:
    return FloatingIpSpec(**data)


LOADERS = {"networks": network_from, "ports": port_from, "routers": router_from,
           "floating_ips": floating_ip_from}


class AppliedState:
    """``{kind: {id: spec}}`` mirrored to ``path`` (atomic rewrite on every change)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.specs: dict[str, dict] = {kind: {} for kind in KINDS}
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path) as handle:
                raw = json.load(handle)
        except (FileNotFoundError, ValueError):
            return
        for kind in KINDS:
            for key, data in (raw.get(kind) or {}).items():
                try:
                    self.specs[kind][key] = LOADERS[kind](data)
                except (TypeError, KeyError):  # written by another version: forget it
                    continue

    def _save(self) -> None:
        os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
        raw = {kind: {key: asdict(spec) for key, spec in specs.items()}
               for kind, specs in self.specs.items()}
        with open(self.path + ".new", "w") as handle:
            json.dump(raw, handle)
        os.replace(self.path + ".new", self.path)

    def get(self, kind: str, key: str):
        with self.lock:
            return self.specs[kind].get(key)

    def all(self, kind: str) -> dict:
        with self.lock:
            return dict(self.specs[kind])

    def put(self, kind: str, key: str, spec) -> None:
        with self.lock:
            if self.specs[kind].get(key) != spec:
                self.specs[kind][key] = spec
                self._save()

    def drop(self, kind: str, key: str):
        with self.lock:
            spec = self.specs[kind].pop(key, None)
            if spec is not None:
                self._save()
            return spec
