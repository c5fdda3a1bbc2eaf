"""The whole cloud in this process on the namespace driver: servers through the API are
real instances, and deleting them leaves nothing on the host. Most servers have no NIC
(``networks: "none"``, microversion 2.37); one test puts two on the demo's private
network (bridges come from the Linux network driver)."""

from __future__ import annotations

import statistics
import time

import pytest

from pocketstack.drivers.compute.base import PowerState
from pocketstack.host import instance, netns
from pocketstack.services.image.bootstrap import DEFAULT_IMAGE_ID

from .helpers import inside, leftovers

pytestmark = pytest.mark.root

VERSION = "2.37"
HEADERS = {"OpenStack-API-Version": f"compute {VERSION}",
           "X-OpenStack-Nova-API-Version": VERSION}
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2ZyQvY4yYv5vB2W1eZ9Yt1Cw9dPq0p2bQ2zGq9n3F demo"


def boot(api, name: str, image_id: str = DEFAULT_IMAGE_ID, **extra) -> str:
    body = {"server": {"name": name, "imageRef": image_id, "flavorRef": "1",
                       "networks": "none", **extra}}
    response = api.post("/compute/v2.1/servers", json=body, headers=HEADERS)
    assert response.status_code == 202, response.text
    return response.json()["server"]["id"]


def show(api, server_id: str):
    return api.get(f"/compute/v2.1/servers/{server_id}", headers=HEADERS)


def settled(api, server_id: str) -> dict | None:
    """The server when it has no task (None while busy; {} when gone)."""
    response = show(api, server_id)
    if response.status_code == 404:
        return {}
    server = response.json()["server"]
    return server if server["OS-EXT-STS:task_state"] is None and server["status"] != "BUILD" \
        else None


def wait(api, server_id: str, status: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while (server := settled(api, server_id)) is None or (
            server and server["status"] != status and server["status"] != "ERROR"):
        assert time.monotonic() < deadline, f"{server_id} not {status} in {timeout} s"
        time.sleep(0.02)
    assert (server.get("status") if server else "GONE") == status, server
    return server


def act(api, server_id: str, body: dict):
    response = api.post(f"/compute/v2.1/servers/{server_id}/action", json=body,
                        headers={**HEADERS, "OpenStack-API-Version": "compute 2.45",
                                 "X-OpenStack-Nova-API-Version": "2.45"})
    assert response.status_code in (200, 202), response.text
    return response


def test_servers_through_the_api_are_real_instances(deployment, demo, prefix):
    driver = deployment.cloud.compute_driver
    assert driver.capabilities.real_instances
    response = demo.post("/compute/v2.1/os-keypairs", headers=HEADERS,
                         json={"keypair": {"name": "k", "public_key": KEY}})
    assert response.status_code in (200, 201), response.text
    server_id = boot(demo, "web-1", key_name="k")
    server = wait(demo, server_id, "ACTIVE")
    assert server["OS-EXT-STS:power_state"] == PowerState.RUNNING
    assert instance.init_pid(driver._dir(server_id)) is not None
    assert inside(driver, server_id, "hostname").stdout.strip() == "web-1"
    assert KEY in inside(driver, server_id, "cat /root/.ssh/authorized_keys").stdout
    console = act(demo, server_id, {"os-getConsoleOutput": {"length": 50}}).json()["output"]
    assert "pocketstack-init: ready" in console

    inside(driver, server_id, "echo from-web-1 > /root/state.txt")
    act(demo, server_id, {"os-stop": None})
    assert wait(demo, server_id, "SHUTOFF")["OS-EXT-STS:power_state"] == PowerState.SHUTDOWN
    act(demo, server_id, {"os-start": None})
    wait(demo, server_id, "ACTIVE")
    assert inside(driver, server_id, "cat /root/state.txt").stdout == "from-web-1\n"

    image_id = act(demo, server_id, {"createImage": {"name": "web-snap"}}).json()["image_id"]
    wait(demo, server_id, "ACTIVE")
    clone = boot(demo, "web-2", image_id=image_id)
    wait(demo, clone, "ACTIVE")
    assert inside(driver, clone, "cat /root/state.txt").stdout == "from-web-1\n"

    for doomed in (server_id, clone):
        assert demo.delete(f"/compute/v2.1/servers/{doomed}").status_code == 204
    for doomed in (server_id, clone):
        wait(demo, doomed, "GONE")
    assert not leftovers(driver, prefix)


def test_ten_servers_timings(deployment, demo, prefix):
    driver = deployment.cloud.compute_driver
    warm_up = boot(demo, "warm-up")  # the agent's first pass also sets up routers
    wait(demo, warm_up, "ACTIVE")
    assert demo.delete(f"/compute/v2.1/servers/{warm_up}").status_code == 204
    wait(demo, warm_up, "GONE")
    posted = {}
    for index in range(10):
        posted[boot(demo, f"load-{index}")] = time.monotonic()
    active = {}
    deadline = time.monotonic() + 120
    while len(active) < len(posted):
        assert time.monotonic() < deadline, f"only {len(active)} ACTIVE"
        for server_id in set(posted) - set(active):
            server = settled(demo, server_id)
            if server:
                assert server["status"] == "ACTIVE", server
                active[server_id] = time.monotonic()
        time.sleep(0.01)
    assert all(driver.power_state(s) == PowerState.RUNNING for s in posted)
    to_active = [active[s] - posted[s] for s in posted]
    created = max(active.values()) - min(posted.values())

    deleted_at = {}
    for server_id in posted:
        deleted_at[server_id] = time.monotonic()
        assert demo.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    gone = {}
    while len(gone) < len(posted):
        assert time.monotonic() < deadline, f"only {len(gone)} deleted"
        for server_id in set(posted) - set(gone):
            if show(demo, server_id).status_code == 404:
                gone[server_id] = time.monotonic()
        time.sleep(0.01)
    to_gone = [gone[s] - deleted_at[s] for s in posted]
    print(f"\nTIMING 10 servers: create->ACTIVE median {statistics.median(to_active):.3f} s "
          f"max {max(to_active):.3f} s, all ACTIVE after {created:.3f} s; "
          f"delete->gone median {statistics.median(to_gone):.3f} s max {max(to_gone):.3f} s, "
          f"all gone after {max(gone.values()) - min(deleted_at.values()):.3f} s")
    assert not leftovers(driver, prefix)


def test_servers_on_a_tenant_network_reach_each_other(deployment, demo, prefix, host_ns):
    driver = deployment.cloud.compute_driver
    networks = demo.get("/network/v2.0/networks?name=private").json()["networks"]
    assert networks, "the demo project's private network"
    nets = [{"uuid": networks[0]["id"]}]
    first, second = boot(demo, "db-1", networks=nets), boot(demo, "db-2", networks=nets)
    servers = {sid: wait(demo, sid, "ACTIVE") for sid in (first, second)}
    ips = {sid: s["addresses"]["private"][0]["addr"] for sid, s in servers.items()}
    ports = [p["id"] for p in demo.get("/network/v2.0/ports").json()["ports"]
             if p["device_id"] in servers]
    assert len(ports) == 2
    link = inside(driver, first, "ip -o addr show eth0").stdout
    assert f"{ips[first]}/24" in link
    ping = inside(driver, first, f"ping -c 1 -W 2 {ips[second]}")
    assert ping.returncode == 0, ping.stdout + ping.stderr
    for doomed in (first, second):
        assert demo.delete(f"/compute/v2.1/servers/{doomed}").status_code == 204
    for doomed in (first, second):
        wait(demo, doomed, "GONE")
    assert not netns.call(host_ns, leftovers, driver, prefix, ports)  # veths: host_ns
