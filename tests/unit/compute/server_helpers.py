"""Helpers for server tests: a keypair, booting, and waiting for the agent to converge.

The fixtures here are served to every compute test by ``conftest.py``.
"""

from __future__ import annotations

import time

import pytest

from pocketstack.db.models.compute import Keypair
from pocketstack.services.image.bootstrap import DEFAULT_IMAGE_ID

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk2ZyQvY4yYv5vB2W1eZ9Yt1Cw9dPq0p2bQ2zGq9n3F test"


def mv(version: str) -> dict:
    return {"OpenStack-API-Version": f"compute {version}",
            "X-OpenStack-Nova-API-Version": version}


@pytest.fixture
def image_id() -> str:
    return DEFAULT_IMAGE_ID


@pytest.fixture
def keypair(deployment) -> str:
    """A keypair named ``k`` owned by the demo user."""
    user_id = deployment.accounts["demo"].user_id
    with deployment.cloud.db.session() as session:
        session.add(Keypair(name="k", user_id=user_id, public_key=PUBLIC_KEY,
                            fingerprint="aa:bb", type="ssh"))
    return "k"


def boot(api, image_id: str, name: str = "s1", version: str = "2.1", expect: int = 202,
         **extra) -> dict:
    body = {"server": {"name": name, "imageRef": image_id, "flavorRef": "1", **extra}}
    response = api.post("/compute/v2.1/servers", json=body, headers=mv(version))
    assert response.status_code == expect, response.text
    return response.json()


def show(api, server_id: str, version: str = "2.1"):
    return api.get(f"/compute/v2.1/servers/{server_id}", headers=mv(version))


def wait_for(api, server_id: str, *statuses: str, timeout: float = 10.0,
             version: str = "2.1") -> dict:
    """Poll until the server shows one of ``statuses`` with no task (or is gone: "GONE")."""
    deadline = time.monotonic() + timeout
    while True:
        response = show(api, server_id, version)
        if response.status_code == 404 and "GONE" in statuses:
            return {}
        assert response.status_code == 200, response.text
        server = response.json()["server"]
        if server["status"] in statuses and server["OS-EXT-STS:task_state"] is None:
            return server
        assert time.monotonic() < deadline, f"still {server['status']}/{server['OS-EXT-STS:task_state']}"
        time.sleep(0.05)


def action(api, server_id: str, body: dict, version: str = "2.1"):
    return api.post(f"/compute/v2.1/servers/{server_id}/action", json=body,
                    headers=mv(version))


@pytest.fixture
def active_server(demo, image_id, keypair) -> dict:
    """A demo server, booted at 2.1 (no networks sent) and ACTIVE."""
    created = boot(demo, image_id, name="php", key_name=keypair)["server"]
    return wait_for(demo, created["id"], "ACTIVE")
