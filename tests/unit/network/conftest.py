"""Helpers for network tests: short calls that assert success and return the body."""

from __future__ import annotations

import time

import pytest

N = "/network/v2.0"


def ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def make(api, collection: str, key: str, **fields) -> dict:
    return ok(api.post(f"{N}/{collection}", json={key: fields}), 201)[key]


def error_type(response) -> str:
    return response.json()["NeutronError"]["type"]


def settle(deployment, passes: int = 3) -> None:
    """Let the agent converge everything pending (it also runs in its own thread)."""
    for _ in range(passes):
        deployment.agent.run_once()
        time.sleep(0.01)


@pytest.fixture
def net(demo):
    """demo's own network with one subnet 10.1.0.0/24."""
    network = make(demo, "networks", "network", name="n1")
    subnet = make(demo, "subnets", "subnet", network_id=network["id"], cidr="10.1.0.0/24",
                  ip_version=4, name="s1")
    return network, subnet


def by_name(api, collection: str, name: str) -> dict:
    found = ok(api.get(f"{N}/{collection}", params={"name": name}))[collection.replace("-", "_")]
    assert len(found) == 1, found
    return found[0]


def network_driver(deployment):
    from pocketstack.agent.network import NetworkReconciler

    return next(r.driver for r in deployment.agent.reconcilers if isinstance(r, NetworkReconciler))


def public_id(api) -> str:
    return by_name(api, "networks", "public")["id"]
