"""The server reconciler looks at the host (instances, power states) only on its first
listing and then once per inventory period, not on every agent wake; what an inventory
finds amiss stays listed until a reconcile of it succeeds."""

from __future__ import annotations

from pocketstack.agent import servers as servers_module
from pocketstack.agent.servers import ServerReconciler
from tests.unit.compute.server_helpers import boot


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def counted(deployment, monkeypatch) -> dict:
    """Count the host inventories (``list_instances`` calls) of the compute driver."""
    driver, calls = deployment.cloud.compute_driver, {"list_instances": 0}
    original = driver.list_instances

    def list_instances():
        calls["list_instances"] += 1
        return original()
    monkeypatch.setattr(driver, "list_instances", list_instances)
    return calls


def reconciler(deployment, monkeypatch, clock: Clock) -> ServerReconciler:
    deployment.agent.stop()
    monkeypatch.setattr(servers_module, "time", clock)  # this module's clock only
    return ServerReconciler(deployment.cloud, deployment.cloud.compute_driver,
                            inventory_seconds=10.0)


def test_only_the_first_listing_and_then_one_per_period_look_at_the_host(
        deployment, monkeypatch, active_server):
    clock = Clock()
    servers = reconciler(deployment, monkeypatch, clock)
    calls = counted(deployment, monkeypatch)
    for _ in range(5):
        assert servers.pending() == []
    assert calls["list_instances"] == 1
    clock.now += 9.9
    servers.pending()
    assert calls["list_instances"] == 1
    clock.now += 0.2
    servers.pending()
    assert calls["list_instances"] == 2


def test_new_work_is_listed_between_inventories(deployment, monkeypatch, demo, image_id):
    servers = reconciler(deployment, monkeypatch, Clock())
    assert servers.pending() == []
    server_id = boot(demo, image_id, name="later")["server"]["id"]
    assert servers.pending() == [server_id]


def test_a_lost_instance_is_found_by_the_next_inventory(deployment, monkeypatch,
                                                        active_server):
    clock = Clock()
    server_id = active_server["id"]
    servers = reconciler(deployment, monkeypatch, clock)
    assert servers.pending() == []
    deployment.cloud.compute_driver.destroy(server_id)
    assert servers.pending() == []  # not looked at before the period ends
    clock.now += 10.0
    assert servers.pending() == [server_id]
    clock.now += 1.0
    assert servers.pending() == [server_id]  # listed until reconciled
    servers.reconcile(server_id)
    assert servers.pending() == []
    assert server_id in deployment.cloud.compute_driver.list_instances()


def test_a_failed_reconcile_keeps_the_server_listed(deployment, monkeypatch, active_server):
    server_id = active_server["id"]
    servers = reconciler(deployment, monkeypatch, Clock())
    driver = deployment.cloud.compute_driver
    driver.destroy(server_id)
    assert servers.pending() == [server_id]

    def broken(_spec):
        raise RuntimeError("spawn failed")
    monkeypatch.setattr(driver, "spawn", broken)
    try:
        servers.reconcile(server_id)
    except RuntimeError:
        pass
    assert servers.pending() == [server_id]
