"""The soak's load balancer steps, and the check of what the API shows of them.

``BalancerSoak`` adds to ``workload.Soak``: a load balancer on a tenant subnet, its
listener (HTTP 80) and pool (round robin, the listener's default), members pointing at
servers of the load balancer's network (added and removed), a floating IP on its VIP, and
its delete with ``cascade``. A load balancer takes one change at a time (409 while
``PENDING_*``, as Octavia), so a step first waits, as a client does, up to
``SETTLE_SECONDS`` for it to settle; a 409 that still comes is a refusal. A DELETE whose
first answer was lost is retried: the retry's 404 (gone) or 409 (already
``PENDING_DELETE``) counts as accepted once a read-back shows the object going.
"""

from __future__ import annotations

import time
from typing import ClassVar

from tests.integration.crash.helpers import Api, N

from .workload import OPERATIONS, Soak

L = "/load-balancer/v2/lbaas"
LB_OPERATIONS = {"create_lb": 2, "add_listener_pool": 3, "add_member": 4, "remove_member": 2,
                 "delete_lb": 1}
LB_LIMIT = 2
SETTLE_SECONDS = 5.0
MEMBER_PORT = 80


class BalancerSoak(Soak):
    operations: ClassVar[dict[str, int]] = {**OPERATIONS, **LB_OPERATIONS}

    def _lb_status(self, lb: str) -> str | None:
        response = self.api.get(f"{L}/loadbalancers/{lb}")
        if response.status_code != 200:
            return None
        return response.json()["loadbalancer"]["provisioning_status"]

    def _settle(self, lb: str) -> None:
        deadline = time.monotonic() + SETTLE_SECONDS
        while (self._lb_status(lb) or "").startswith("PENDING_"):
            if time.monotonic() > deadline:
                return
            time.sleep(0.1)

    def _going(self, path: str) -> bool:
        """The object at ``path`` is deleted or being deleted."""
        response = self.api.get(path)
        if response.status_code == 404:
            return True
        return next(iter(response.json().values()))["provisioning_status"] == "PENDING_DELETE"

    def _delete_lb_object(self, op: str, path: str) -> bool:
        response = self.api.delete(path)
        if response.status_code in (404, 409) and self._going(path.split("?")[0]):
            self.log.append(f"{op} {response.status_code} (going)")
            self.done[op] += 1
            return True
        return self._record(op, response)

    def create_lb(self) -> None:
        served = {v["net"] for v in self.book.servers.values()}
        net = self._pick(set(self.book.nets) & served) or self._pick(self.book.nets)
        if net is None or len(self.book.lbs) >= LB_LIMIT:
            return
        name = self._name()
        lb = self._create("create_lb", f"{L}/loadbalancers", "loadbalancer",
                          {"loadbalancer": {"name": name,
                                            "vip_subnet_id": self.book.nets[net]["subnet"]}},
                          self._find(f"{L}/loadbalancers?name={name}", "loadbalancers"))
        if lb:
            vip = self.api.get(f"{L}/loadbalancers/{lb}").json()["loadbalancer"]["vip_port_id"]
            self.book.lbs[lb] = {"net": net, "vip": vip, "listener": None, "pool": None,
                                 "members": {}}

    def add_listener_pool(self) -> None:
        """The load balancer's listener (if it has none), then the listener's pool."""
        lb = self._pick(b for b, v in self.book.lbs.items() if not v["pool"])
        if lb is None:
            return
        entry, name = self.book.lbs[lb], self._name()
        self._settle(lb)
        if entry["listener"] is None:
            entry["listener"] = self._create(
                "create_listener", f"{L}/listeners", "listener",
                {"listener": {"name": name, "loadbalancer_id": lb, "protocol": "HTTP",
                              "protocol_port": 80}},
                self._find(f"{L}/listeners?name={name}", "listeners"))
            if entry["listener"] is None:
                return
            self._settle(lb)
        entry["pool"] = self._create(
            "create_pool", f"{L}/pools", "pool",
            {"pool": {"name": name, "listener_id": entry["listener"], "protocol": "HTTP",
                      "lb_algorithm": "ROUND_ROBIN"}},
            self._find(f"{L}/pools?name={name}", "pools"))

    def _address(self, server: str) -> str | None:
        port = self._server_port(server)
        if port is None:
            return None
        return self.api.get(f"{N}/ports/{port}").json()["port"]["fixed_ips"][0]["ip_address"]

    def add_member(self) -> None:
        """A server of the load balancer's network joins its pool."""
        pair = self._pick((b, s) for b, v in self.book.lbs.items() if v["pool"]
                          for s, w in self.book.servers.items() if w["net"] == v["net"])
        if pair is None:
            return
        lb, entry = pair[0], self.book.lbs[pair[0]]
        address = self._address(pair[1])
        if not address or address in entry["members"].values():
            return
        name, pool = self._name(), entry["pool"]
        self._settle(lb)
        member = self._create(
            "create_member", f"{L}/pools/{pool}/members", "member",
            {"member": {"name": name, "address": address, "protocol_port": MEMBER_PORT,
                        "subnet_id": self.book.nets[entry["net"]]["subnet"]}},
            self._find(f"{L}/pools/{pool}/members?name={name}", "members"))
        if member:
            entry["members"][member] = address

    def remove_member(self) -> None:
        lb = self._pick(b for b, v in self.book.lbs.items() if v["members"])
        if lb is None:
            return
        entry = self.book.lbs[lb]
        member = self._pick(entry["members"])
        self._settle(lb)
        if self._delete_lb_object("remove_member", f"{L}/pools/{entry['pool']}/members/{member}"):
            del entry["members"][member]

    def delete_lb(self) -> None:
        lb = self._pick(self.book.lbs)
        if lb is None:
            return
        self._settle(lb)
        if self._delete_lb_object("delete_lb", f"{L}/loadbalancers/{lb}?cascade=true"):
            vip = self.book.lbs.pop(lb)["vip"]
            for fip in self.book.fips.values():
                if fip["port"] == vip:
                    fip["port"] = None  # the VIP port goes, and the floating IP is let go

    def _fip_targets(self, routed: set[str]):
        return [*super()._fip_targets(routed),
                *(v["vip"] for v in self.book.lbs.values() if v["net"] in routed)]


def check_balancers(demo: Api, soak: BalancerSoak) -> None:
    """Every accepted load balancer is ACTIVE with the listener, pool and members the book
    has; nothing else of the soak's exists."""
    shown = {b["id"]: b for b in demo.get(f"{L}/loadbalancers").json()["loadbalancers"]
             if b["name"].startswith(soak.tag)}
    assert set(shown) == set(soak.book.lbs), soak.log[-20:]
    for lb, entry in soak.book.lbs.items():
        assert shown[lb]["provisioning_status"] == "ACTIVE", shown[lb]
        assert shown[lb]["vip_port_id"] == entry["vip"], shown[lb]
        assert [x["id"] for x in shown[lb]["listeners"]] == _ids(entry["listener"]), lb
        assert [x["id"] for x in shown[lb]["pools"]] == _ids(entry["pool"]), lb
        if entry["pool"] is None:
            continue
        members = demo.get(f"{L}/pools/{entry['pool']}/members").json()["members"]
        assert {m["id"]: m["address"] for m in members} == entry["members"], lb
        assert all(m["provisioning_status"] == "ACTIVE" for m in members), members


def _ids(one: str | None) -> list[str]:
    return [one] if one else []
