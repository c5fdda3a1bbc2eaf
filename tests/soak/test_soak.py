"""Crash soak: a seeded random workload (``workload.Soak``, with the load balancer steps of
``balancers.BalancerSoak``) against a real namespace cloud in a test host namespace while
the cloud is SIGKILLed at random moments and restarted.

* ``test_whole_process``: ``pocketstack up`` (API + agent in one process) is killed
  ``KILLS`` times.
* ``test_agent_alone``: the split shape, ``pocketstack up --no-agent`` plus a separate
  ``pocketstack agent`` on the same data dir; only the agent is killed ``AGENT_KILLS``
  times while the API keeps accepting writes.

After the kills, one last kill and restart, then the reconcilers must converge and the
invariants hold: what the API shows equals the client's book of accepted writes (nothing
lost, nothing resurrected, servers ACTIVE, floating IPs and security groups as last set,
load balancers ACTIVE with their listener, pool and members), the kernel holds exactly
what the database names (``invariants``: each object once, nothing else of the prefix;
each load balancer's HAProxy serves what the database names), every instance process is
in its own cgroup, and a purge leaves nothing. ``SOAK_SEED=<n>`` replays a run's choices
(the seed is printed; kill moments still depend on timing). A failed run keeps the
processes' logs in ``/tmp/crash-<prefix>-logs``.
"""

from __future__ import annotations

import os
import random
import time
from contextlib import contextmanager

import pytest

from pocketstack.host import cgroups, links, netns, nft
from tests.integration.crash.helpers import (
    AgentProcess,
    Api,
    C,
    Killer,
    N,
    host_cloud,
    mount_points_under,
)
from tests.integration.crash.invariants import (
    cgroup_violations,
    converge,
    expected_kernel,
    processes_mentioning,
    settled_kernel,
)

from .balancers import BalancerSoak, check_balancers
from .workload import Soak

pytestmark = [pytest.mark.root, pytest.mark.soak, pytest.mark.timeout(600)]

PORT, AGENT_PORT = 18901, 18902
KILLS, AGENT_KILLS = 30, 15  # both tests within ~5 min on 2 shared cores
PAUSE = (0.2, 2.0)  # seconds between a restart and the next kill


def seed() -> int:
    value = int(os.environ.get("SOAK_SEED", "20261126"))
    print(f"\nSOAK_SEED={value}")
    return value


def test_whole_process(prefix):
    value = seed()
    with host_cloud(prefix, PORT) as up:
        netns.call(up.host, scenario, up, up, prefix, value)


def test_agent_alone(prefix):
    value = seed()
    with split_cloud(prefix, AGENT_PORT) as (up, agent):
        netns.call(up.host, scenario, up, agent, prefix, value)


@contextmanager
def split_cloud(prefix: str, port: int):
    """``up --no-agent`` and a ``pocketstack agent`` on its data dir, in one host ns."""
    with host_cloud(prefix, port) as up:
        up.args = ("--no-agent",)
        agent = AgentProcess(prefix, up.host, up.data_dir, port,
                             up.log.with_name("agent.log"), args=("--poll", "0.2"))
        try:
            yield up, agent
        finally:
            agent.kill()


def scenario(up, victim, prefix: str, value: int) -> None:
    """Drive the workload while ``victim`` (``up`` itself, or its separate agent) is
    killed; then converge and check every invariant."""
    started = time.monotonic()
    for process in {id(up): up, id(victim): victim}.values():
        process.start()
        process.wait_ready()
    demo = login(up)
    soak = BalancerSoak(demo, random.Random(value), "sk", *landmarks(demo))
    killer = Killer(victim, random.Random(value + 1),
                    KILLS if victim is up else AGENT_KILLS, PAUSE)
    killer.start()
    while killer.is_alive():
        try:
            soak.step()
        except AssertionError:
            assert killer.error is None, killer.error  # the restart failed: say why
            raise
    assert killer.error is None, killer.error
    victim.kill()  # the final crash, then the final restart
    victim.start()
    victim.wait_ready()
    load_done = time.monotonic()

    want = converge(up.data_dir, tail=lambda: up.tail() + victim.tail())
    converged = time.monotonic()
    check_book(demo, soak)
    check_balancers(demo, soak)
    assert settled_kernel(prefix, up.data_dir, want) == expected_kernel(prefix, want)
    assert cgroup_violations(prefix, str(up.data_dir / "instances")) == []
    print(f"TIMING {killer.kills + 1} kills of {victim.arguments()[0]}, restarts median "
          f"{killer.median_restart():.2f} s; workload {load_done - started:.1f} s, "
          f"{sum(soak.done.values())} writes accepted, {sum(soak.refused.values())} "
          f"refused; converged {converged - load_done:.1f} s after the last restart; "
          f"{len(want['servers'])} servers and {len(want['loadbalancers'])} load balancers "
          f"alive, {demo.retries} retried calls")
    print(f"accepted {dict(soak.done)}\nrefused {dict(soak.refused)}")
    purge_and_check(up, victim, prefix)


def login(up) -> Api:
    admin, demo = Api(up, "admin", "admin"), Api(up, "demo", "demo")
    admin.login()
    demo.login()
    assert admin.put(f"{C}/os-quota-sets/{demo.project_id}", {"quota_set": {
        "instances": 100, "cores": 200, "ram": 10**6}}).status_code == 200
    assert admin.put(f"{N}/quotas/{demo.project_id}", {"quota": {
        "network": 100, "subnet": 100, "router": 100, "floatingip": 100, "port": 500,
        "security_group": 100, "security_group_rule": 500}}).status_code == 200
    return demo


def landmarks(demo: Api) -> tuple[str, str, str]:
    """``(public network, image, default security group)`` ids."""
    public = demo.get(f"{N}/networks?name=public").json()["networks"][0]["id"]
    image = demo.get("/image/v2/images?name=base").json()["images"][0]["id"]
    groups = demo.get(f"{N}/security-groups?name=default").json()["security_groups"]
    return public, image, groups[0]["id"]


def listed(demo: Api, path: str, kind: str, key: str = "name") -> dict:
    """The soak's resources (``key`` starts with its tag) by id."""
    return {item["id"]: item for item in demo.get(f"{N}/{path}").json()[kind]
            if (item.get(key) or "").startswith("sk")}


def check_book(demo: Api, soak: Soak) -> None:
    """Every accepted write that nobody undid is there; nothing else is."""
    book = soak.book
    nets = listed(demo, "networks", "networks")
    assert set(nets) == set(book.nets), soak.log[-20:]
    for net, entry in book.nets.items():
        assert nets[net]["subnets"] == [entry["subnet"]], nets[net]
    routers = listed(demo, "routers", "routers")
    assert set(routers) == set(book.routers)
    for router, entry in book.routers.items():
        assert bool(routers[router]["external_gateway_info"]) == entry["gateway"], router
        assert soak._interfaces(router) == entry["subnets"], router
    servers = {s["id"]: s for s in demo.get(f"{C}/servers/detail?name=^sk").json()["servers"]}
    assert set(servers) == set(book.servers)
    for server, entry in book.servers.items():
        shown = servers[server]
        assert shown["status"] == "ACTIVE" and shown["OS-EXT-STS:power_state"] == 1, shown
        port = demo.get(f"{N}/ports/{soak._server_port(server)}").json()["port"]
        assert set(port["security_groups"]) == entry["groups"], (server, port)
        assert port["status"] == "ACTIVE", port
    fips = listed(demo, "floatingips", "floatingips", key="description")
    assert set(fips) == set(book.fips)
    for fip, entry in book.fips.items():
        assert fips[fip]["port_id"] == entry["port"], fips[fip]
        assert fips[fip]["status"] == ("ACTIVE" if entry["port"] else "DOWN"), fips[fip]
    groups = listed(demo, "security-groups", "security_groups")
    assert set(groups) == set(book.sgs)
    for group, entry in book.sgs.items():
        assert {r["id"] for r in groups[group]["security_group_rules"]
                if r["direction"] == "ingress"} == entry["rules"], group


def purge_and_check(up, victim, prefix: str) -> None:
    victim.stop()
    up.stop()
    result = up.purge()
    assert result.returncode == 0, result.stdout + result.stderr
    assert netns.list_names(prefix) == [] and cgroups.list_names(prefix) == []
    assert links.list_links(prefix) == [] and nft.list_tables(prefix) == []
    assert processes_mentioning(str(up.data_dir)) == []
    assert mount_points_under(str(up.data_dir)) == [] and not up.data_dir.exists()
