"""The cloud as a process: restart keeps everything; status, down and purge from outside."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.compat.cloud import Credentials

pytestmark = pytest.mark.compat


def build_a_little_of_everything(cloud) -> dict:
    cloud.openstack_text("keypair", "create", "keep-key")
    network = cloud.openstack("network", "create", "keep-net")
    cloud.openstack("subnet", "create", "--network", "keep-net", "--subnet-range",
                    "10.7.0.0/24", "keep-subnet")
    server = cloud.create_server("keeper", "--key-name", "keep-key")
    floating = cloud.openstack("floating", "ip", "create", "public")
    cloud.openstack_text("server", "add", "floating", "ip", "keeper",
                         floating["floating_ip_address"])
    snapshot = cloud.openstack("server", "image", "create", "--wait", "--name", "keep-snap",
                               "keeper")
    return {"network": network, "server": server, "floating": floating, "snapshot": snapshot}


def token_credentials(cloud, token: str) -> Credentials:
    demo = cloud.demo.variables
    keep = ("OS_AUTH_URL", "OS_IDENTITY_API_VERSION", "OS_PROJECT_NAME",
            "OS_PROJECT_DOMAIN_NAME", "OS_REGION_NAME", "OS_INTERFACE")
    return Credentials({**{k: demo[k] for k in keep}, "OS_AUTH_TYPE": "v3token",
                        "OS_TOKEN": token})


def test_restart_keeps_every_resource_and_the_tokens_already_issued(cloud):
    made = build_a_little_of_everything(cloud)
    token = cloud.openstack("token", "issue")["id"]
    port_before = cloud.openstack("floating", "ip", "show", made["floating"]["id"])["port_id"]

    cloud.restart()

    server = cloud.openstack("server", "show", "keeper")
    floating = cloud.openstack("floating", "ip", "show", made["floating"]["id"])
    assert server["id"] == made["server"]["id"] and server["status"] == "ACTIVE"
    assert made["floating"]["floating_ip_address"] in json.dumps(server["addresses"])
    assert floating["port_id"] == port_before and port_before
    assert cloud.openstack("network", "show", "keep-net")["id"] == made["network"]["id"]
    assert cloud.openstack("subnet", "show", "keep-subnet")["cidr"] == "10.7.0.0/24"
    assert "keep-key" in {k["Name"] for k in cloud.openstack("keypair", "list")}
    images = {i["Name"]: i["Status"] for i in cloud.openstack("image", "list")}
    assert images["keep-snap"] == "active"
    assert cloud.base_image_id() in {i["ID"] for i in cloud.openstack("image", "list")}

    direct = httpx.get(f"{cloud.url}/compute/v2.1/servers", headers={"X-Auth-Token": token})
    assert direct.status_code == 200
    assert made["server"]["id"] in {s["id"] for s in direct.json()["servers"]}
    rescoped = cloud.openstack("server", "list", as_=token_credentials(cloud, token))
    assert made["server"]["id"] in {s["ID"] for s in rescoped}


def test_status_down_and_purge_work_from_another_process(cloud):
    running = cloud.pocketstack("status")
    assert running.returncode == 0, running.stdout + running.stderr
    assert f"pid {cloud.pid}" in running.stdout
    assert cloud.url in running.stdout

    stopped = cloud.pocketstack("down")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert cloud.process.wait(timeout=30) == 0
    assert cloud.pocketstack("status").returncode == 3

    purged = cloud.pocketstack("purge", "--yes")
    assert purged.returncode == 0, purged.stdout + purged.stderr
    assert not cloud.data_dir.exists()
