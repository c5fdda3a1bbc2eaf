from pocketstack.agent.network import network_reconcilers
from pocketstack.drivers.network.base import NetworkSpec
from pocketstack.drivers.network.fake import FakeNetworkDriver
from tests.unit.network.conftest import N, make, network_driver, ok, settle


def test_bootstrap_state_reaches_the_host(deployment):
    settle(deployment)
    driver = network_driver(deployment)
    assert {spec.name for spec in driver.networks.values()} >= {"public", "private"}
    public = next(s for s in driver.networks.values() if s.name == "public")
    assert public.external and public.gateway_ips == ("172.24.4.1",)
    router = next(s for s in driver.routers.values() if s.name == "router1")
    assert [leg.ip_address for leg in router.interfaces] == ["10.0.0.1"]


def test_injected_failure_sets_error_until_changed(demo, deployment):
    driver = network_driver(deployment)
    driver.inject_failure("^doomed$")
    try:
        network = make(demo, "networks", "network", name="doomed")
        settle(deployment)
        assert ok(demo.get(f"{N}/networks/{network['id']}"))["network"]["status"] == "ERROR"
        driver.inject_failure(None)
        ok(demo.put(f"{N}/networks/{network['id']}", json={"network": {"name": "fine"}}))
        settle(deployment)
        assert ok(demo.get(f"{N}/networks/{network['id']}"))["network"]["status"] == "ACTIVE"
    finally:
        driver.inject_failure(None)


def test_temporary_failure_retries(demo, deployment):
    driver = network_driver(deployment)
    driver.inject_failure("^flaky$", permanent=False)
    network = make(demo, "networks", "network", name="flaky")
    settle(deployment)
    assert ok(demo.get(f"{N}/networks/{network['id']}"))["network"]["status"] == "BUILD"
    driver.inject_failure(None)
    for reconciler in deployment.agent.reconcilers:
        if reconciler.kind == "network":
            reconciler.reconcile(network["id"])
    assert ok(demo.get(f"{N}/networks/{network['id']}"))["network"]["status"] == "ACTIVE"


def test_sweep_removes_what_no_row_names(deployment):
    settle(deployment)
    driver = FakeNetworkDriver()
    driver.ensure_network(NetworkSpec(id="leaked", name="leaked"))
    reconcilers = network_reconcilers(deployment.cloud, driver)
    for reconciler in reconcilers:
        reconciler.sweep()
    assert "leaked" not in driver.networks


def test_lost_host_state_comes_back(deployment):
    """Every row re-applied on a fresh host (a restart): the same objects come back."""
    settle(deployment)
    before = network_driver(deployment).inventory()
    fresh = FakeNetworkDriver()
    reconcilers = network_reconcilers(deployment.cloud, fresh)
    with deployment.cloud.db.session() as session:
        from pocketstack.db.models.network import Network, Router

        for model in (Network, Router):
            for row in session.query(model):
                row.generation += 1
    for _ in range(2):
        for reconciler in reconcilers:
            for key in reconciler.pending():
                reconciler.reconcile(key)
    assert fresh.inventory().networks == before.networks
    assert fresh.inventory().routers == before.routers


def test_reconcile_twice_changes_nothing(demo, deployment, net):
    network, _ = net
    settle(deployment)
    driver = network_driver(deployment)
    snapshot = dict(driver.networks)
    for reconciler in deployment.agent.reconcilers:
        if reconciler.kind == "network":
            reconciler.reconcile(network["id"])
            reconciler.reconcile(network["id"])
    assert driver.networks == snapshot
