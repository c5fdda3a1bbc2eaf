"""Helpers for load balancer tests: short calls that assert success and return the body,
a demo network, and a load balancer made ACTIVE by the agent (fake drivers)."""

from __future__ import annotations

import pytest

from tests.unit.network.conftest import make as make_network_object
from tests.unit.network.conftest import ok, settle

L = "/load-balancer/v2/lbaas"
N = "/network/v2.0"

__all__ = ["L", "N", "driver", "fault", "make", "ok", "settle"]


def make(api, collection: str, key: str, **fields) -> dict:
    return ok(api.post(f"{L}/{collection}", json={key: fields}), 201)[key]


def fault(response, status: int) -> str:
    """The faultstring of an Octavia error answer with ``status``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["faultcode"] == ("Server" if status >= 500 else "Client")
    return body["faultstring"]


def driver(deployment):
    return deployment.cloud.loadbalancer_driver


def show(api, collection: str, key: str, item_id: str) -> dict:
    return ok(api.get(f"{L}/{collection}/{item_id}"))[key]


@pytest.fixture
def subnet(demo) -> dict:
    """demo's network n1 with subnet 10.1.0.0/24."""
    network = make_network_object(demo, "networks", "network", name="n1")
    return make_network_object(demo, "subnets", "subnet", network_id=network["id"],
                               cidr="10.1.0.0/24", ip_version=4, name="s1")


@pytest.fixture
def lb(demo, deployment, subnet) -> dict:
    """An ACTIVE load balancer of demo on ``subnet``."""
    made = make(demo, "loadbalancers", "loadbalancer", name="lb1", vip_subnet_id=subnet["id"])
    settle(deployment)
    return show(demo, "loadbalancers", "loadbalancer", made["id"])


@pytest.fixture
def stack(demo, deployment, lb) -> dict:
    """``lb`` with an HTTP listener on 80, a ROUND_ROBIN pool and two members, all ACTIVE."""
    listener = make(demo, "listeners", "listener", loadbalancer_id=lb["id"], protocol="HTTP",
                    protocol_port=80, name="web")
    settle(deployment)
    pool = make(demo, "pools", "pool", listener_id=listener["id"], protocol="HTTP",
                lb_algorithm="ROUND_ROBIN", name="php")
    settle(deployment)
    members = []
    for address in ("10.1.0.11", "10.1.0.12"):
        members.append(make(demo, f"pools/{pool['id']}/members", "member", address=address,
                            protocol_port=8000))
        settle(deployment)
    return {"lb": lb, "listener": listener, "pool": pool, "members": members}


@pytest.fixture
def paused(deployment):
    """Stop the background agent (so pending states stay visible); call the result to run
    passes of a fresh agent over the same reconcilers."""
    from pocketstack.agent.loop import Agent

    deployment.agent.stop()
    agent = Agent(deployment.agent.reconcilers)

    def converge(passes: int = 3) -> None:
        for _ in range(passes):
            agent.run_once()

    return converge
