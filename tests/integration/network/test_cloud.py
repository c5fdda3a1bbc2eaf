"""The whole cloud in this process on the namespace + linux drivers, its agent running in a
test "host" namespace (so bridges, 172.24.4.1 and the host tables never touch the
namespace pytest runs in): servers on ``private`` reach each other, a security group rule
made through the API opens a web server on a floating IP within a second and its
deletion closes new connections, metadata answers inside an instance, the host's API
port is out of reach, and purge leaves nothing of the prefix."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from pocketstack.host import cgroups, instance, links, names, netns, nft
from pocketstack.wiring import assemble, purge_host_objects
from tests.harness.api import logged_in
from tests.integration.cloud import namespace_cloud

from .helpers import listener, tcp_ok, wait_until

pytestmark = pytest.mark.root

N, C = "/network/v2.0", "/compute/v2.1"
HEADERS = {"OpenStack-API-Version": "compute 2.37", "X-OpenStack-Nova-API-Version": "2.37"}
WEB = "#!/bin/sh\ncd /tmp && exec python3 -m http.server 80\n"
API_PORT = 18812


@pytest.fixture
def cloud(prefix):
    with namespace_cloud(prefix, Path(f"/tmp/lnd-{prefix}"), API_PORT) as pair:
        yield pair


def api(deployment, user: str, project: str):
    return logged_in(deployment, user, project)


def ok(response, status=(200, 201, 202, 204)):
    assert response.status_code in status, response.text
    return response.json() if response.content else None


def boot(demo, name: str, network_id: str, user_data: str | None = None) -> str:
    server = {"name": name, "imageRef": _image(demo), "flavorRef": "1",
              "networks": [{"uuid": network_id}]}
    if user_data:
        server["user_data"] = base64.b64encode(user_data.encode()).decode()
    return ok(demo.post(f"{C}/servers", json={"server": server}, headers=HEADERS))["server"]["id"]


def _image(demo) -> str:
    return ok(demo.get("/image/v2/images"))["images"][0]["id"]


def wait_active(demo, server_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = ok(demo.get(f"{C}/servers/{server_id}", headers=HEADERS))["server"]
        if server["status"] in ("ACTIVE", "ERROR"):
            assert server["status"] == "ACTIVE", server
            return server
        time.sleep(0.05)
    raise TimeoutError(f"{server_id} not ACTIVE")


def inside(deployment, server_id: str, script: str, timeout: float = 30):
    driver = deployment.cloud.compute_driver
    return instance.execute(driver._dir(server_id), ["sh", "-c", script], timeout=timeout)


def python_in(deployment, server_id: str, code: str):
    return inside(deployment, server_id, f"python3 -c '{code}'")


def test_whole_cloud_networking(cloud, prefix):
    deployment, host = cloud
    demo = api(deployment, "demo", "demo")
    private = ok(demo.get(f"{N}/networks?name=private"))["networks"][0]["id"]
    public = ok(demo.get(f"{N}/networks?name=public"))["networks"][0]["id"]
    web = boot(demo, "web", private, WEB)
    db = boot(demo, "db", private)
    servers = {sid: wait_active(demo, sid) for sid in (web, db)}
    ips = {sid: s["addresses"]["private"][0]["addr"] for sid, s in servers.items()}

    # two servers on private reach each other (same default group)
    for source, target in ((web, db), (db, web)):
        result = inside(deployment, source, f"ping -c 1 -W 2 {ips[target]}")
        assert result.returncode == 0, result.stdout + result.stderr

    # floating IP: reachable only once a tcp/80 rule opens it
    port = ok(demo.get(f"{N}/ports?device_id={web}"))["ports"][0]["id"]
    start = time.monotonic()
    floating = ok(demo.post(f"{N}/floatingips", json={"floatingip": {
        "floating_network_id": public, "port_id": port}}))["floatingip"]
    address = floating["floating_ip_address"]
    wait_until(lambda: ok(demo.get(f"{N}/floatingips/{floating['id']}"))["floatingip"]
               ["status"] == "ACTIVE", timeout=10)
    associated = time.monotonic() - start
    wait_until(lambda: tcp_ok(web_ns(prefix, web), "127.0.0.1", 80, 0.2), timeout=15)
    assert not tcp_ok(host, address, 80, 0.5)
    group = ok(demo.get(f"{N}/security-groups?name=default"))["security_groups"][0]["id"]
    start = time.monotonic()
    rule = ok(demo.post(f"{N}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group, "direction": "ingress", "protocol": "tcp",
        "port_range_min": 80, "port_range_max": 80, "remote_ip_prefix": "0.0.0.0/0"}}))
    wait_until(lambda: tcp_ok(host, address, 80, 0.2), timeout=1.0)
    opened = time.monotonic() - start
    ok(demo.delete(f"{N}/security-group-rules/{rule['security_group_rule']['id']}"))
    start = time.monotonic()
    wait_until(lambda: not tcp_ok(host, address, 80, 0.2), timeout=1.5)
    closed = time.monotonic() - start

    # metadata from inside an instance, through its router
    read = ("import urllib.request as u;print(u.urlopen(\"http://169.254.169.254/openstack/"
            "latest/{}\", timeout=5).read().decode())")
    meta = python_in(deployment, web, read.format("meta_data.json"))
    assert meta.returncode == 0, meta.stderr
    document = json.loads(meta.stdout)
    assert document["uuid"] == web and document["name"] == "web"
    assert document["devices"] == [] and "project_id" in document
    user_data = python_in(deployment, web, read.format("user_data"))
    assert user_data.stdout.strip() == WEB.strip()
    network_data = json.loads(python_in(deployment, db, read.format("network_data.json")).stdout)
    assert network_data["networks"][0]["ip_address"] == ips[db]

    # the host's API port is not reachable from an instance
    connect = ("import socket;socket.create_connection((\"{}\", " + str(API_PORT)
               + "), timeout=2);print(1)")
    with listener(host, "0.0.0.0", API_PORT):
        assert tcp_ok(host, "172.24.4.1", API_PORT)
        for target in ("172.24.4.1", address):
            result = python_in(deployment, db, connect.format(target))
            assert result.returncode != 0 and "1" not in result.stdout
    print(f"\nTIMING floating IP create -> ACTIVE {associated * 1000:.0f} ms; "
          f"rule -> open {opened * 1000:.0f} ms; rule delete -> closed {closed * 1000:.0f} ms")

    # a restarted agent rebuilds what lives in the process (metadata listeners) and keeps
    # the kernel's (the security-group table is rendered whole from what it applied)
    deployment.agent.stop()
    deployment.agent.reconcilers[0].driver.close()
    deployment.cloud.db.dispose()
    deployment = netns.call(host, assemble, deployment.cloud.settings)
    try:
        wait_until(lambda: python_in(deployment, web, read.format("meta_data.json"))
                   .returncode == 0, timeout=10)
        assert inside(deployment, db, f"ping -c 1 -W 2 {ips[web]}").returncode == 0
        assert not tcp_ok(host, address, 80, 0.5)  # the deleted rule stayed deleted
    finally:
        deployment.agent.stop()
        deployment.agent.reconcilers[0].driver.close()
        deployment.cloud.db.dispose()

    # purge leaves nothing of the prefix
    def purge_and_look() -> tuple:
        purge_host_objects(prefix)  # also deletes the test's host namespace (its name)
        return links.list_links(prefix), nft.list_tables(prefix)

    assert netns.call(host, purge_and_look) == ([], [])
    assert netns.list_names(prefix) == [] and cgroups.list_names(prefix) == []


def web_ns(prefix: str, server_id: str) -> str:
    return names.kernel_name(prefix, "instance_ns", server_id)
