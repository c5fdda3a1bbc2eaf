"""A whole cloud in this process on the namespace + linux drivers, assembled inside a test
"host" namespace (bridges, 172.24.4.1 and the host tables stay out of pytest's own
namespace), with small API helpers. Teardown kills every launcher, purges the prefix
inside the host namespace, unmounts and removes the data dir ``/tmp/crash-iso-<prefix>``
and deletes the host namespace."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pocketstack.host import instance
from tests.harness.api import logged_in
from tests.integration.cloud import namespace_cloud

N, C = "/network/v2.0", "/compute/v2.1"
NOVA = {"OpenStack-API-Version": "compute 2.37", "X-OpenStack-Nova-API-Version": "2.37"}
API_PORT = 18815


@pytest.fixture
def cloud(prefix):
    """``(deployment, host namespace)``; the API is served in-process (TestClient)."""
    host = f"{prefix}-host"  # not a name purge of the prefix takes: it stays inspectable
    with namespace_cloud(prefix, Path(f"/tmp/crash-iso-{prefix}"), API_PORT, host) as pair:
        yield pair


def api(deployment, user: str, project: str, password: str | None = None) -> TestClient:
    return logged_in(deployment, user, project, password, NOVA)


def ok(response, status=(200, 201, 202, 204)):
    assert response.status_code in status, response.text
    return response.json() if response.content else None


def boot(client, name: str, network_id: str, fixed_ip: str | None = None,
         user_data: str | None = None) -> str:
    nic = {"uuid": network_id, **({"fixed_ip": fixed_ip} if fixed_ip else {})}
    image = ok(client.get("/image/v2/images"))["images"][0]["id"]
    server = {"name": name, "imageRef": image, "flavorRef": "1", "networks": [nic]}
    if user_data:
        server["user_data"] = base64.b64encode(user_data.encode()).decode()
    return ok(client.post(f"{C}/servers", json={"server": server}))["server"]["id"]


def wait_active(client, server_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = ok(client.get(f"{C}/servers/{server_id}"))["server"]
        if server["status"] in ("ACTIVE", "ERROR"):
            assert server["status"] == "ACTIVE", server.get("fault")
            return server
        time.sleep(0.05)
    raise TimeoutError(f"{server_id} not ACTIVE")


def inside(deployment, server_id: str, script: str, timeout: float = 30):
    """``sh -c script`` in the instance (nsenter into its namespaces and root)."""
    driver = deployment.cloud.compute_driver
    return instance.execute(driver._dir(server_id), ["sh", "-c", script], timeout=timeout)


def floating_ip(client, server_id: str) -> str:
    public = ok(client.get(f"{N}/networks?name=public"))["networks"][0]["id"]
    port = ok(client.get(f"{N}/ports?device_id={server_id}"))["ports"][0]["id"]
    made = ok(client.post(f"{N}/floatingips", json={"floatingip": {
        "floating_network_id": public, "port_id": port}}))["floatingip"]
    deadline = time.monotonic() + 15
    while ok(client.get(f"{N}/floatingips/{made['id']}"))["floatingip"]["status"] != "ACTIVE":
        assert time.monotonic() < deadline, "floating IP not ACTIVE"
        time.sleep(0.05)
    return made["floating_ip_address"]
