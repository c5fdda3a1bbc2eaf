"""A seeded random driver of the API, and the book of what it was told exists.

Each ``step`` picks one operation (weights in ``OPERATIONS``) on servers, networks
with a subnet, routers (gateway set/cleared, interfaces added/removed), floating IPs
(created, associated, disassociated, deleted), security groups and rules (and a server's
groups changed through its port, what `openstack server add/remove security group`
amounts to); load balancers are added by ``balancers.BalancerSoak``. The ``Book`` records every write the API accepted (2xx); a refusal (409 and
the like, e.g. a network whose ports are still being released) changes nothing. An answer
lost in a kill is resolved by reading the resource back: creates are found by their
unique name, updates by comparing what the API shows with what was asked.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from tests.integration.crash.helpers import Api, C, N

REFUSALS = (400, 404, 409)
OPERATIONS = {
    "create_network": 3, "delete_network": 2, "create_router": 2, "delete_router": 1,
    "toggle_gateway": 2, "add_interface": 3, "remove_interface": 2, "create_server": 5,
    "delete_server": 3, "create_fip": 2, "associate_fip": 3, "disassociate_fip": 2,
    "delete_fip": 1, "create_sg": 2, "create_rule": 2, "delete_rule": 1, "delete_sg": 1,
    "server_groups": 3,
}
LIMITS = {"nets": 4, "routers": 3, "servers": 5, "fips": 4, "sgs": 3}


@dataclass
class Book:
    """Resources the API accepted and nobody deleted, as the client believes them."""

    nets: dict = field(default_factory=dict)  # id -> {"subnet", "router"}
    routers: dict = field(default_factory=dict)  # id -> {"gateway": bool, "subnets": set}
    servers: dict = field(default_factory=dict)  # id -> {"net", "port", "groups": set}
    fips: dict = field(default_factory=dict)  # id -> {"name", "port"}
    sgs: dict = field(default_factory=dict)  # id -> {"rules": set}
    lbs: dict = field(default_factory=dict)  # id -> {"net", "vip", "listener", "pool", "members"}


class Soak:
    operations = OPERATIONS

    def __init__(self, api: Api, rng: random.Random, tag: str, public: str, image: str,
                 default_sg: str) -> None:
        self.api, self.rng, self.tag = api, rng, tag
        self.public, self.image, self.default_sg = public, image, default_sg
        self.book = Book()
        self.counter = 0
        self.done: Counter = Counter()  # accepted writes per operation
        self.refused: Counter = Counter()
        self.log: list[str] = []

    def step(self) -> None:
        names, weights = zip(*self.operations.items())
        getattr(self, self.rng.choices(names, weights)[0])()

    # plumbing

    def _name(self) -> str:
        self.counter += 1
        return f"{self.tag}{self.counter:04d}"

    def _record(self, op: str, response) -> bool:
        """True when the write was accepted; a refusal is counted, anything else fails."""
        self.log.append(f"{op} {response.status_code}")
        if response.status_code < 300:
            self.done[op] += 1
            return True
        assert response.status_code in REFUSALS, f"{op}: {response.text}"
        self.refused[op] += 1
        return False

    def _create(self, op: str, path: str, kind: str, body: dict, find) -> str | None:
        while True:
            response = self.api.post(path, body)
            if response is None:  # lost in a kill: committed or not?
                if found := find():
                    self.done[op] += 1
                    return found
                continue
            return response.json()[kind]["id"] if self._record(op, response) else None

    def _find(self, path: str, kind: str, **match):
        def find():
            items = self.api.get(path).json()[kind]
            return next((i["id"] for i in items
                         if all(i.get(k) == v for k, v in match.items())), None)
        return find

    def _update(self, op: str, path: str, body: dict, took) -> bool:
        """PUT until answered; a lost answer is resolved with ``took()`` (True: applied)."""
        while True:
            response = self.api.put(path, body)
            if response is not None:
                return self._record(op, response)
            if took():
                self.done[op] += 1
                return True

    def _delete(self, op: str, path: str) -> bool:
        response = self.api.delete(path)
        if response.status_code == 404:  # a retried DELETE whose first answer was lost
            self.done[op] += 1
            return True
        return self._record(op, response)

    def _pick(self, items):
        items = sorted(items)
        return self.rng.choice(items) if items else None

    def _server_port(self, server_id: str) -> str | None:
        server = self.book.servers[server_id]
        if server["port"] is None:
            ports = self.api.get(f"{N}/ports?device_id={server_id}").json()["ports"]
            server["port"] = ports[0]["id"] if ports else None
        return server["port"]

    # networks and routers

    def create_network(self) -> None:
        if len(self.book.nets) >= LIMITS["nets"]:
            return
        name = self._name()
        net = self._create("create_network", f"{N}/networks", "network",
                           {"network": {"name": name}},
                           self._find(f"{N}/networks?name={name}", "networks"))
        if net is None:
            return
        cidr = f"10.{150 + self.counter // 250}.{self.counter % 250}.0/24"
        subnet = self._create("create_subnet", f"{N}/subnets", "subnet",
                              {"subnet": {"name": name, "network_id": net, "ip_version": 4,
                                          "cidr": cidr}},
                              self._find(f"{N}/subnets?name={name}", "subnets"))
        self.book.nets[net] = {"subnet": subnet, "router": None}
        assert subnet is not None, f"subnet {cidr} refused: {self.log[-1]}"

    def delete_network(self) -> None:
        used = {v["net"] for v in (*self.book.servers.values(), *self.book.lbs.values())}
        net = self._pick(n for n, v in self.book.nets.items() if n not in used and not v["router"])
        if net and self._delete("delete_network", f"{N}/networks/{net}"):
            del self.book.nets[net]

    def create_router(self) -> None:
        if len(self.book.routers) >= LIMITS["routers"]:
            return
        name, gateway = self._name(), self.rng.random() < 0.7
        body = {"name": name}
        if gateway:
            body["external_gateway_info"] = {"network_id": self.public}
        router = self._create("create_router", f"{N}/routers", "router", {"router": body},
                              self._find(f"{N}/routers?name={name}", "routers"))
        if router:
            self.book.routers[router] = {"gateway": gateway, "subnets": set()}

    def delete_router(self) -> None:
        router = self._pick(r for r, v in self.book.routers.items() if not v["subnets"])
        if router and self._delete("delete_router", f"{N}/routers/{router}"):
            del self.book.routers[router]

    def _gateway(self, router: str) -> bool:
        return bool(self.api.get(f"{N}/routers/{router}").json()["router"]
                    ["external_gateway_info"])

    def toggle_gateway(self) -> None:
        router = self._pick(self.book.routers)
        if router is None:
            return
        want = not self.book.routers[router]["gateway"]
        info = {"network_id": self.public} if want else None
        if self._update("toggle_gateway", f"{N}/routers/{router}",
                        {"router": {"external_gateway_info": info}},
                        lambda: self._gateway(router) == want):
            self.book.routers[router]["gateway"] = want

    def _interfaces(self, router: str) -> set[str]:
        ports = self.api.get(f"{N}/ports?device_id={router}&device_owner="
                             "network:router_interface").json()["ports"]
        return {ip["subnet_id"] for port in ports for ip in port["fixed_ips"]}

    def add_interface(self) -> None:
        router = self._pick(self.book.routers)
        net = self._pick(n for n, v in self.book.nets.items() if not v["router"])
        if router is None or net is None:
            return
        subnet = self.book.nets[net]["subnet"]
        if self._update("add_interface", f"{N}/routers/{router}/add_router_interface",
                        {"subnet_id": subnet}, lambda: subnet in self._interfaces(router)):
            self.book.routers[router]["subnets"].add(subnet)
            self.book.nets[net]["router"] = router

    def remove_interface(self) -> None:
        net = self._pick(n for n, v in self.book.nets.items() if v["router"])
        if net is None:
            return
        router, subnet = self.book.nets[net]["router"], self.book.nets[net]["subnet"]
        if self._update("remove_interface", f"{N}/routers/{router}/remove_router_interface",
                        {"subnet_id": subnet}, lambda: subnet not in self._interfaces(router)):
            self.book.routers[router]["subnets"].discard(subnet)
            self.book.nets[net]["router"] = None

    # servers and their security groups

    def _some_groups(self) -> set[str]:
        choices = sorted(self.book.sgs) + [self.default_sg]
        return set(self.rng.sample(choices, self.rng.randint(1, min(2, len(choices)))))

    def create_server(self) -> None:
        net = self._pick(self.book.nets)
        if net is None or len(self.book.servers) >= LIMITS["servers"]:
            return
        name, groups = self._name(), self._some_groups()
        server = self._create(
            "create_server", f"{C}/servers", "server",
            {"server": {"name": name, "imageRef": self.image, "flavorRef": "1",
                        "networks": [{"uuid": net}],
                        "security_groups": [{"name": g} for g in sorted(groups)]}},
            self._find(f"{C}/servers?name=^{name}$", "servers"))
        if server:
            self.book.servers[server] = {"net": net, "port": None, "groups": groups}

    def delete_server(self) -> None:
        server = self._pick(self.book.servers)
        if server is None:
            return
        port = self._server_port(server)
        if self._delete("delete_server", f"{C}/servers/{server}"):
            del self.book.servers[server]
            for fip in self.book.fips.values():
                if port and fip["port"] == port:
                    fip["port"] = None  # Neutron disassociates when the port goes

    def server_groups(self) -> None:
        server = self._pick(self.book.servers)
        port = server and self._server_port(server)
        if not port:
            return
        groups = self._some_groups()
        if self._update("server_groups", f"{N}/ports/{port}",
                        {"port": {"security_groups": sorted(groups)}},
                        lambda: set(self.api.get(f"{N}/ports/{port}").json()["port"]
                                    ["security_groups"]) == groups):
            self.book.servers[server]["groups"] = groups

    def create_sg(self) -> None:
        if len(self.book.sgs) >= LIMITS["sgs"]:
            return
        name = self._name()
        group = self._create("create_sg", f"{N}/security-groups", "security_group",
                             {"security_group": {"name": name}},
                             self._find(f"{N}/security-groups?name={name}", "security_groups"))
        if group:
            self.book.sgs[group] = {"rules": set()}
            self._add_rule(group)

    def _add_rule(self, group: str) -> None:
        port = 1000 + self.counter
        self.counter += 1
        rule = self._create(
            "create_rule", f"{N}/security-group-rules", "security_group_rule",
            {"security_group_rule": {"security_group_id": group, "direction": "ingress",
                                     "ethertype": "IPv4", "protocol": "tcp",
                                     "port_range_min": port, "port_range_max": port}},
            self._find(f"{N}/security-group-rules?security_group_id={group}",
                        "security_group_rules", port_range_min=port))
        if rule:
            self.book.sgs[group]["rules"].add(rule)

    def create_rule(self) -> None:
        if group := self._pick(self.book.sgs):
            self._add_rule(group)

    def delete_rule(self) -> None:
        group = self._pick(self.book.sgs)
        rule = group and self._pick(self.book.sgs[group]["rules"])
        if rule and self._delete("delete_rule", f"{N}/security-group-rules/{rule}"):
            self.book.sgs[group]["rules"].discard(rule)

    def delete_sg(self) -> None:
        used = set().union(*(s["groups"] for s in self.book.servers.values()))
        group = self._pick(set(self.book.sgs) - used)
        if group and self._delete("delete_sg", f"{N}/security-groups/{group}"):
            del self.book.sgs[group]

    # floating IPs

    def create_fip(self) -> None:
        if len(self.book.fips) >= LIMITS["fips"]:
            return
        name = self._name()
        fip = self._create("create_fip", f"{N}/floatingips", "floatingip",
                           {"floatingip": {"floating_network_id": self.public,
                                           "description": name}},
                           self._find(f"{N}/floatingips", "floatingips", description=name))
        if fip:
            self.book.fips[fip] = {"name": name, "port": None}

    def _fip_port(self, fip: str):
        return self.api.get(f"{N}/floatingips/{fip}").json()["floatingip"]["port_id"]

    def associate_fip(self) -> None:
        fip = self._pick(f for f, v in self.book.fips.items() if v["port"] is None)
        taken = {v["port"] for v in self.book.fips.values()}
        routed = {n for n, v in self.book.nets.items()
                  if v["router"] and self.book.routers[v["router"]]["gateway"]}
        port = self._pick(self._fip_targets(routed))
        if not fip or not port or port in taken:
            return
        if self._update("associate_fip", f"{N}/floatingips/{fip}",
                        {"floatingip": {"port_id": port}}, lambda: self._fip_port(fip) == port):
            self.book.fips[fip]["port"] = port

    def _fip_targets(self, routed: set[str]):
        """Ports a floating IP may go to: those of servers on ``routed`` networks."""
        return [self._server_port(s) for s, v in self.book.servers.items()
                if v["net"] in routed and self._server_port(s)]

    def disassociate_fip(self) -> None:
        fip = self._pick(f for f, v in self.book.fips.items() if v["port"])
        if fip and self._update("disassociate_fip", f"{N}/floatingips/{fip}",
                                {"floatingip": {"port_id": None}},
                                lambda: self._fip_port(fip) is None):
            self.book.fips[fip]["port"] = None

    def delete_fip(self) -> None:
        fip = self._pick(self.book.fips)
        if fip and self._delete("delete_fip", f"{N}/floatingips/{fip}"):
            del self.book.fips[fip]
