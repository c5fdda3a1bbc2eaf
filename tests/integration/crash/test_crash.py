"""Kill -9 at random moments: a real ``pocketstack up --driver namespace`` (in a test host
namespace) is SIGKILLed again and again while a client creates and deletes 20 servers,
each with its own network, subnet, router (gateway ``public`` + an interface) and a
floating IP; it is restarted on the same data dir each time. After the last restart the
host converges: every server the API accepted and nobody deleted is ACTIVE and runs
exactly once, every deleted one left nothing, the kernel holds exactly what the database
names, no accepted row was lost, and ``pocketstack purge`` leaves nothing of the prefix.

Seeded: ``CRASH_SEED=<n>`` replays a run (the seed is printed).
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field

import pytest

from pocketstack.host import cgroups, links, netns, nft

from .helpers import Api, C, Killer, N, host_cloud, mount_points_under
from .invariants import converge, expected_kernel, processes_mentioning, settled_kernel

pytestmark = pytest.mark.root

PORT = 18814
GROUPS = 20
KILLS = 10


@dataclass
class Group:
    """One server and everything it stands on; ids the API accepted."""

    name: str
    ids: dict = field(default_factory=dict)
    deleted: bool = False
    done: bool = False  # every piece deleted


class Workload:
    def __init__(self, api: Api, rng: random.Random) -> None:
        self.api, self.rng = api, rng
        self.groups: list[Group] = []
        self.deleting: list[Group] = []
        self.public = ""
        self.image = ""

    # creating, resolving answers lost in a kill by looking the resource up

    def _create(self, path: str, kind: str, body: dict, find) -> str:
        while True:
            response = self.api.post(path, body)
            if response is None:
                found = find()
                if found:
                    return found
                continue
            assert response.status_code in (200, 201, 202), f"{path}: {response.text}"
            return response.json()[kind]["id"]

    def _by_name(self, path: str, kind: str, name: str):
        def find():
            items = self.api.get(f"{path}?name={name}").json()[kind]
            return items[0]["id"] if items else None
        return find

    def run_group(self, index: int) -> None:
        group = Group(f"crash{index:02d}")
        self.groups.append(group)
        ids, name = group.ids, group.name
        ids["network"] = self._create(f"{N}/networks", "network", {"network": {"name": name}},
                                      self._by_name(f"{N}/networks", "networks", name))
        ids["subnet"] = self._create(
            f"{N}/subnets", "subnet",
            {"subnet": {"name": name, "network_id": ids["network"], "ip_version": 4,
                        "cidr": f"10.{100 + index}.0.0/24"}},
            self._by_name(f"{N}/subnets", "subnets", name))
        ids["router"] = self._create(
            f"{N}/routers", "router",
            {"router": {"name": name, "external_gateway_info": {"network_id": self.public}}},
            self._by_name(f"{N}/routers", "routers", name))
        self._add_interface(ids["router"], ids["subnet"])
        ids["server"] = self._create(
            f"{C}/servers", "server",
            {"server": {"name": name, "imageRef": self.image, "flavorRef": "1",
                        "networks": [{"uuid": ids["network"]}]}},
            self._by_name(f"{C}/servers", "servers", f"^{name}$"))
        ids["port"] = self._server_port(ids["server"])
        ids["fip"] = self._create(
            f"{N}/floatingips", "floatingip",
            {"floatingip": {"floating_network_id": self.public, "port_id": ids["port"]}},
            lambda: next((f["id"] for f in self.api.get(f"{N}/floatingips").json()
                          ["floatingips"] if f["port_id"] == ids["port"]), None))

    def _add_interface(self, router: str, subnet: str) -> None:
        while True:
            response = self.api.put(f"{N}/routers/{router}/add_router_interface",
                                    {"subnet_id": subnet})
            if response is not None and response.status_code == 200:
                return
            ports = self.api.get(f"{N}/ports?device_id={router}").json()["ports"]
            if any(ip["subnet_id"] == subnet for p in ports for ip in p["fixed_ips"]):
                return
            assert response is None, response.text

    def _server_port(self, server: str) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ports = self.api.get(f"{N}/ports?device_id={server}").json()["ports"]
            if ports:
                return ports[0]["id"]
            time.sleep(0.05)
        raise AssertionError(f"server {server} has no port")

    # deleting: the floating IP and the server at once, the rest once the server is gone

    def delete_group(self, group: Group) -> None:
        group.deleted = True
        for path in (f"{N}/floatingips/{group.ids['fip']}", f"{C}/servers/{group.ids['server']}"):
            response = self.api.delete(path)
            assert response.status_code in (204, 404), f"{path}: {response.text}"
        self.deleting.append(group)

    def advance_deletions(self) -> None:
        for group in list(self.deleting):
            if self._finish(group):
                group.done = True
                self.deleting.remove(group)

    def _finish(self, group: Group) -> bool:
        ids = group.ids
        if self.api.get(f"{C}/servers/{ids['server']}").status_code != 404:
            return False
        router = self.api.get(f"{N}/routers/{ids['router']}")
        if router.status_code == 200:
            response = self.api.put(f"{N}/routers/{ids['router']}/remove_router_interface",
                                    {"subnet_id": ids["subnet"]})
            if response is not None and response.status_code not in (200, 404):
                return False
            response = self.api.delete(f"{N}/routers/{ids['router']}")
            if response.status_code not in (204, 404):
                return False
        for path in (f"{N}/subnets/{ids['subnet']}", f"{N}/networks/{ids['network']}"):
            response = self.api.delete(path)
            if response.status_code not in (204, 404):
                return False
        return True

    def run(self) -> None:
        for index in range(GROUPS):
            self.run_group(index)
            alive = [g for g in self.groups if not g.deleted]
            if len(alive) > 6 or (len(alive) > 1 and self.rng.random() < 0.45):
                self.delete_group(self.rng.choice(alive[:-1]))
            self.advance_deletions()


def test_kill_9_at_random_moments_leaks_nothing_and_loses_nothing(prefix):
    seed = int(os.environ.get("CRASH_SEED", "20261126"))
    print(f"\nCRASH_SEED={seed}")
    with host_cloud(prefix, PORT) as up:
        netns.call(up.host, scenario, up, prefix, seed)


def scenario(up, prefix: str, seed: float) -> None:
    started = time.monotonic()
    up.start()
    up.wait_ready()
    admin, demo = Api(up, "admin", "admin"), Api(up, "demo", "demo")
    admin.login()
    demo.login()
    assert admin.put(f"{C}/os-quota-sets/{demo.project_id}", {"quota_set": {
        "instances": 100, "cores": 200, "ram": 10**6}}).status_code == 200
    assert admin.put(f"{N}/quotas/{demo.project_id}", {"quota": {
        "network": 100, "subnet": 100, "router": 100, "floatingip": 100,
        "port": 500}}).status_code == 200
    work = Workload(demo, random.Random(seed))
    work.public = demo.get(f"{N}/networks?name=public").json()["networks"][0]["id"]
    work.image = demo.get("/image/v2/images").json()["images"][0]["id"]

    killer = Killer(up, random.Random(seed + 1), KILLS)
    killer.start()
    work.run()
    killer.join(120)  # the kills go on while the host converges behind the workload
    assert killer.error is None and killer.kills == KILLS, killer.error
    deadline = time.monotonic() + 120
    while work.deleting:
        assert time.monotonic() < deadline, f"deletions stuck: {stuck(demo, work)}\n{up.tail(60)}"
        work.advance_deletions()
        time.sleep(0.1)
    up.kill()  # the final crash, then the final restart
    up.start()
    up.wait_ready()
    load_done = time.monotonic()

    want = converge(up.data_dir, tail=up.tail)
    converged = time.monotonic()
    check_api(demo, work, want)
    expected = expected_kernel(prefix, want)
    actual = settled_kernel(prefix, up.data_dir, want)
    assert actual == expected
    print(f"TIMING {killer.kills + 1} kills, restarts median "
          f"{killer.median_restart():.2f} s; workload "
          f"{load_done - started:.1f} s, converged {converged - load_done:.1f} s after the "
          f"last restart; {len(want['servers'])} servers alive, {demo.retries} retried calls")

    up.stop()
    result = up.purge()
    assert result.returncode == 0, result.stdout + result.stderr
    assert netns.list_names(prefix) == [] and cgroups.list_names(prefix) == []
    assert links.list_links(prefix) == [] and nft.list_tables(prefix) == []
    assert processes_mentioning(str(up.data_dir)) == []
    assert mount_points_under(str(up.data_dir)) == [] and not up.data_dir.exists()


def stuck(demo: Api, work: Workload) -> list:
    return [(g.name, demo.get(f"{C}/servers/{g.ids['server']}").text[:300])
            for g in work.deleting]


def check_api(demo: Api, work: Workload, want: dict) -> None:
    """Every accepted, undeleted resource is there (servers ACTIVE); deleted ones are gone."""
    alive = [g for g in work.groups if not g.deleted]
    gone = [g for g in work.groups if g.deleted]
    assert all(g.done for g in gone)
    assert {g.ids["server"] for g in alive} <= want["servers"]
    assert not {g.ids["server"] for g in gone} & want["servers"]
    for group in alive:
        server = demo.get(f"{C}/servers/{group.ids['server']}").json()["server"]
        assert server["status"] == "ACTIVE" and server["OS-EXT-STS:power_state"] == 1, server
        for kind, path in (("network", "networks"), ("subnet", "subnets"),
                           ("router", "routers"), ("fip", "floatingips"), ("port", "ports")):
            response = demo.get(f"{N}/{path}/{group.ids[kind]}")
            assert response.status_code == 200, (kind, response.text)
        fip = demo.get(f"{N}/floatingips/{group.ids['fip']}").json()["floatingip"]
        assert fip["port_id"] == group.ids["port"] and fip["status"] == "ACTIVE", fip
    for group in gone:
        for kind, path in (("network", "networks"), ("subnet", "subnets"),
                           ("router", "routers"), ("fip", "floatingips"), ("port", "ports")):
            response = demo.get(f"{N}/{path}/{group.ids[kind]}")
            assert response.status_code == 404, (kind, response.text)
