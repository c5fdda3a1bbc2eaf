"""`pocketstack demo webgame`: the reference workload, made through the public APIs only.

A network with a router to ``public``, a security group (tcp/80 from anywhere, tcp/3306
and icmp from the subnet), a keypair, a MariaDB primary and replica (user-data from
examples/webgame), a load balancer (HTTP listener on 80, ROUND_ROBIN pool, HTTP health
monitor on /health.php) with a floating IP on its VIP, and an autoscaling group of PHP
servers that join the pool. Every resource is named ``webgame-<suffix>`` and pushed on a
``Teardown`` as soon as it exists, so a failure or Ctrl-C removes what was made.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field

from pocketstack.demo import userdata
from pocketstack.demo.client import CloudClient, DemoError, wait_for
from pocketstack.demo.teardown import Teardown

CIDR, GATEWAY = "10.42.0.0/24", "10.42.0.1"
PRIMARY_IP, REPLICA_IP = "10.42.0.10", "10.42.0.11"
FLAVOR = "m1.tiny"
LB = "load-balancer"


@dataclass(frozen=True)
class GroupShape:
    """The PHP tier's scaling: ``target`` connections in flight per server."""
    min_size: int = 1
    max_size: int = 4
    target: float = 10
    scale_out_cooldown: float = 2
    scale_in_cooldown: float = 10
    drain_timeout: float = 5


@dataclass
class Webgame:
    """The ids of what ``deploy`` made (filled step by step)."""
    name: str
    ids: dict[str, str] = field(default_factory=dict)
    floating_ip: str = ""


class Deployer:
    def __init__(self, cloud: CloudClient, teardown: Teardown, say, boot_timeout: float = 180):
        self.cloud, self.teardown, self.say = cloud, teardown, say
        self.boot_timeout = boot_timeout
        self.game = Webgame(name=f"webgame-{secrets.token_hex(2)}")
        self.db_password, self.repl_password = secrets.token_hex(12), secrets.token_hex(12)

    def deploy(self, shape: GroupShape) -> Webgame:
        self.say(f"deploying {self.game.name}")
        self.network()
        self.security_group()
        self.keypair()
        self.databases()
        self.load_balancer()
        self.floating_ip()
        self.group(shape)
        return self.game

    def made(self, kind: str, ident: str, undo) -> str:
        self.game.ids[kind] = ident
        self.teardown.push(f"{kind} {ident}", undo)
        return ident

    # network ---------------------------------------------------------------------------
    def network(self) -> None:
        cloud, name = self.cloud, self.game.name
        net = cloud.post("network", "/networks", {"network": {"name": name}})["network"]["id"]
        self.made("network", net, lambda: self.delete_when_free(f"/networks/{net}"))
        subnet = cloud.post("network", "/subnets", {"subnet": {
            "name": name, "network_id": net, "cidr": CIDR, "ip_version": 4,
            "gateway_ip": GATEWAY,
            "allocation_pools": [{"start": "10.42.0.20", "end": "10.42.0.250"}]}})
        subnet_id = subnet["subnet"]["id"]
        self.made("subnet", subnet_id, lambda: self.delete_when_free(f"/subnets/{subnet_id}"))
        public = self.public_network()
        router = cloud.post("network", "/routers", {"router": {
            "name": name, "external_gateway_info": {"network_id": public}}})["router"]["id"]
        self.made("router", router, lambda: cloud.delete("network", f"/routers/{router}"))
        cloud.put("network", f"/routers/{router}/add_router_interface", {"subnet_id": subnet_id})
        self.teardown.push("router interface", lambda: cloud.put(
            "network", f"/routers/{router}/remove_router_interface", {"subnet_id": subnet_id},
            ok=(200, 404)))
        self.say(f"network {CIDR} with a router to public")

    def public_network(self) -> str:
        found = self.cloud.get("network", "/networks?router:external=true")["networks"]
        if not found:
            raise DemoError("The cloud has no external network for floating IPs.")
        return next((n["id"] for n in found if n["name"] == "public"), found[0]["id"])

    def delete_when_free(self, path: str) -> None:
        """Delete a network or subnet, retrying while ports still hold it (the ports of
        servers and of a VIP go a moment after them)."""
        def gone() -> bool:
            try:
                self.cloud.delete("network", path)
                return True
            except DemoError as error:
                if "(409)" not in str(error):
                    raise
                return False
        wait_for(gone, 60, f"{path} to be free of ports")

    def security_group(self) -> None:
        cloud = self.cloud
        group = cloud.post("network", "/security-groups", {"security_group": {
            "name": self.game.name, "description": "web game"}})["security_group"]["id"]
        self.made("security group", group,
                  lambda: cloud.delete("network", f"/security-groups/{group}"))
        for protocol, port, remote in (("tcp", 80, "0.0.0.0/0"), ("tcp", 3306, CIDR),
                                       ("icmp", None, CIDR)):
            rule = {"security_group_id": group, "direction": "ingress", "ethertype": "IPv4",
                    "protocol": protocol, "remote_ip_prefix": remote}
            if port:
                rule.update(port_range_min=port, port_range_max=port)
            cloud.post("network", "/security-group-rules", {"security_group_rule": rule})

    def keypair(self) -> None:
        name = self.game.name
        self.cloud.post("compute", "/os-keypairs", {"keypair": {"name": name}})
        self.made("keypair", name, lambda: self.cloud.delete("compute", f"/os-keypairs/{name}"))

    # servers ---------------------------------------------------------------------------
    def server_template(self, user_data: str) -> dict:
        return {"imageRef": self.image(), "flavorRef": self.flavor(),
                "networks": [{"uuid": self.game.ids["network"]}],
                "security_groups": [{"name": self.game.ids["security group"]}],
                "key_name": self.game.name,
                "user_data": base64.b64encode(user_data.encode()).decode()}

    def image(self) -> str:
        images = self.cloud.get("image", "/images?name=base")["images"]
        if not images:
            raise DemoError("No image named 'base' (the default image pocketstack makes at "
                            "first start); is this a pocketstack cloud?")
        return images[0]["id"]

    def flavor(self) -> str:
        flavors = self.cloud.get("compute", "/flavors")["flavors"]
        found = [f["id"] for f in flavors if f["name"] == FLAVOR]
        if not found:
            raise DemoError(f"No flavor {FLAVOR}; create one with 512 MB of RAM.")
        return found[0]

    def boot(self, role: str, fixed_ip: str, user_data: str) -> str:
        server = self.server_template(user_data)
        server.update(name=f"{self.game.name}-{role}")
        server["networks"][0]["fixed_ip"] = fixed_ip
        ident = self.cloud.post("compute", "/servers", {"server": server})["server"]["id"]
        self.made(role, ident, lambda: self.delete_server(ident))
        return ident

    def delete_server(self, ident: str) -> None:
        self.cloud.delete("compute", f"/servers/{ident}")
        wait_for(lambda: self.cloud.get("compute", f"/servers/{ident}", ok=(200, 404))
                 .get("server") is None, 60, f"server {ident} to go")

    def databases(self) -> None:
        primary = self.boot("db-primary", PRIMARY_IP,
                            userdata.primary(self.db_password, self.repl_password))
        replica = self.boot("db-replica", REPLICA_IP,
                            userdata.replica(PRIMARY_IP, self.repl_password))
        self.say("booting the MariaDB primary and replica")
        for ident, line in ((primary, "webgame: primary ready"),
                            (replica, "webgame: replica ready")):
            self.wait_console(ident, line)
        self.say("MariaDB primary and replica ready")

    def wait_console(self, ident: str, line: str) -> None:
        def ready() -> bool:
            server = self.cloud.get("compute", f"/servers/{ident}")["server"]
            if server["status"] == "ERROR":
                raise DemoError(f"server {ident} failed: {server.get('fault', {})}")
            if server["status"] != "ACTIVE":
                return False
            log = self.cloud.post("compute", f"/servers/{ident}/action",
                                  {"os-getConsoleOutput": {}})["output"]
            if "webgame: user-data failed" in log:
                raise DemoError(f"user-data of {ident} failed; its console log:\n{log}")
            return line in log
        wait_for(ready, self.boot_timeout, f"'{line}' on the console of {ident}")

    # load balancer ---------------------------------------------------------------------
    def lb_ready(self) -> dict:
        lb_id = self.game.ids["load balancer"]

        def active() -> dict | None:
            lb = self.cloud.get(LB, f"/lbaas/loadbalancers/{lb_id}")["loadbalancer"]
            if lb["provisioning_status"] == "ERROR":
                raise DemoError(f"load balancer {lb_id} went to ERROR")
            return lb if lb["provisioning_status"] == "ACTIVE" else None
        return wait_for(active, 60, f"load balancer {lb_id} to be ACTIVE", interval=0.2)

    def lb_child(self, kind: str, path: str, body: dict) -> str:
        ident = self.cloud.post(LB, f"/lbaas/{path}", {kind: body})[kind]["id"]

        def undo() -> None:
            self.cloud.delete(LB, f"/lbaas/{path}/{ident}")
            self.lb_ready()
        self.made(kind, ident, undo)
        self.lb_ready()
        return ident

    def load_balancer(self) -> None:
        cloud, name = self.cloud, self.game.name
        lb = cloud.post(LB, "/lbaas/loadbalancers", {"loadbalancer": {
            "name": name, "vip_subnet_id": self.game.ids["subnet"]}})["loadbalancer"]
        self.made("load balancer", lb["id"], lambda: self.delete_lb(lb["id"]))
        self.game.ids["vip port"] = self.lb_ready()["vip_port_id"]
        listener = self.lb_child("listener", "listeners", {
            "name": name, "loadbalancer_id": lb["id"], "protocol": "HTTP",
            "protocol_port": 80})
        pool = self.lb_child("pool", "pools", {
            "name": name, "listener_id": listener, "protocol": "HTTP",
            "lb_algorithm": "ROUND_ROBIN"})
        self.lb_child("healthmonitor", "healthmonitors", {
            "name": name, "pool_id": pool, "type": "HTTP", "delay": 1, "timeout": 1,
            "max_retries": 2, "max_retries_down": 2, "url_path": "/health.php",
            "expected_codes": "200"})
        self.say(f"load balancer {lb['id']} ACTIVE (HTTP 80, ROUND_ROBIN, /health.php)")

    def delete_lb(self, lb_id: str) -> None:
        self.cloud.delete(LB, f"/lbaas/loadbalancers/{lb_id}?cascade=true")
        wait_for(lambda: "loadbalancer" not in self.cloud.get(
            LB, f"/lbaas/loadbalancers/{lb_id}", ok=(200, 404)), 60, f"{lb_id} to go")

    def floating_ip(self) -> None:
        made = self.cloud.post("network", "/floatingips", {"floatingip": {
            "floating_network_id": self.public_network(),
            "port_id": self.game.ids["vip port"]}})["floatingip"]
        self.made("floating IP", made["id"],
                  lambda: self.cloud.delete("network", f"/floatingips/{made['id']}"))
        self.game.floating_ip = made["floating_ip_address"]
        self.say(f"floating IP {self.game.floating_ip} on the VIP")

    # scaling group ---------------------------------------------------------------------
    def group(self, shape: GroupShape) -> None:
        template = self.server_template(
            userdata.php(PRIMARY_IP, REPLICA_IP, self.db_password))
        server = {"image_id": template["imageRef"], "flavor_id": template["flavorRef"],
                  "networks": template["networks"],
                  "security_groups": template["security_groups"],
                  "key_name": template["key_name"], "user_data": template["user_data"]}
        group = self.cloud.post("autoscaling", "/groups", {"group": {
            "name": f"{self.game.name}-php", "min_size": shape.min_size,
            "max_size": shape.max_size, "server": server,
            "metric": {"type": "loadbalancer_connections", "target": shape.target},
            "scale_out_cooldown": shape.scale_out_cooldown,
            "scale_in_cooldown": shape.scale_in_cooldown,
            "drain_timeout": shape.drain_timeout,
            "load_balancer": {"pool_id": self.game.ids["pool"], "protocol_port": 80,
                              "subnet_id": self.game.ids["subnet"]}}})["group"]
        self.made("group", group["id"], lambda: self.delete_group(group["id"]))
        self.say(f"scaling group {group['id']}: {shape.min_size}..{shape.max_size} PHP "
                 f"servers, {shape.target:g} connections each")

    def delete_group(self, group_id: str) -> None:
        self.cloud.delete("autoscaling", f"/groups/{group_id}")
        wait_for(lambda: "group" not in self.cloud.get(
            "autoscaling", f"/groups/{group_id}", ok=(200, 404)), 120, f"{group_id} to go")
