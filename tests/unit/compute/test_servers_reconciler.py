"""The server reconciler on its own: idempotence, recovery, sweep, and failures."""

from __future__ import annotations

from pocketstack.agent.servers import ServerReconciler
from pocketstack.db.models.compute import Server
from pocketstack.drivers.compute.base import InstanceSpec
from pocketstack.host import names
from pocketstack.services.compute.usage import project_usage
from tests.unit.compute.server_helpers import boot


def row(deployment, server_id: str) -> dict:
    with deployment.cloud.db.session() as session:
        server = session.get(Server, server_id)
        return {column.key: getattr(server, column.key) for column in Server.__mapper__.columns}


def reconciler(deployment) -> ServerReconciler:
    deployment.agent.stop()
    return ServerReconciler(deployment.cloud, deployment.cloud.compute_driver)


def test_reconciling_twice_changes_nothing(deployment, active_server):
    server_id = active_server["id"]
    servers = reconciler(deployment)
    before = row(deployment, server_id)
    assert servers.pending() == []
    servers.reconcile(server_id)
    servers.reconcile(server_id)
    assert row(deployment, server_id) == before


def test_spawn_carries_key_user_data_and_nics(deployment, demo, image_id, keypair):
    servers = reconciler(deployment)
    server_id = boot(demo, image_id, name="web", key_name=keypair, user_data="aGk=",
                     metadata={"a": "b"})["server"]["id"]
    assert servers.pending() == [server_id]
    servers.reconcile(server_id)
    spec: InstanceSpec = deployment.cloud.compute_driver._instances[server_id].spec
    assert spec.user_data == b"hi"
    assert spec.public_keys["k"].startswith("ssh-ed25519")
    assert spec.metadata == {"a": "b"} and spec.vcpus == 1 and spec.memory_mb == 512
    assert len(spec.nics) == 1 and spec.nics[0].ip_address
    assert row(deployment, server_id)["vm_state"] == "active"
    assert servers.pending() == []


def test_a_lost_instance_is_spawned_again(deployment, active_server):
    server_id = active_server["id"]
    servers = reconciler(deployment)
    deployment.cloud.compute_driver.destroy(server_id)
    assert servers.pending() == [server_id]
    servers.reconcile(server_id)
    assert server_id in deployment.cloud.compute_driver.list_instances()
    assert servers.pending() == []


def test_sweep_removes_instances_no_server_names(deployment, active_server):
    driver = deployment.cloud.compute_driver
    driver.spawn(InstanceSpec(id="stray", name="stray", hostname="stray", image_id="x",
                              vcpus=1, memory_mb=64, disk_gb=0))
    reconciler(deployment).sweep()
    assert driver.list_instances() == {active_server["id"]}


def test_sweep_keeps_an_instance_the_host_lists_by_its_fragment(deployment, active_server,
                                                                 monkeypatch):
    """A host may know a live instance only by the fragment of its id in kernel names."""
    driver = deployment.cloud.compute_driver
    fragment = names.fragment(active_server["id"])
    destroyed = []
    monkeypatch.setattr(driver, "list_instances", lambda: {fragment, "stray"})
    monkeypatch.setattr(driver, "destroy", destroyed.append)
    reconciler(deployment).sweep()
    assert destroyed == ["stray"]


def test_usage_counts_servers(deployment, demo, image_id):
    boot(demo, image_id, flavorRef="2")
    boot(demo, image_id)
    with deployment.cloud.db.session() as session:
        usage = project_usage(session, deployment.accounts["demo"].project_id)
    assert usage == {"instances": 2, "cores": 2, "ram": 2048 + 512}


def test_an_instance_that_stopped_by_itself_shows_shutoff(deployment, active_server, demo):
    server_id = active_server["id"]
    servers = reconciler(deployment)
    deployment.cloud.compute_driver.power_off(server_id)  # e.g. `poweroff` inside
    assert servers.pending() == [server_id]
    servers.reconcile(server_id)
    server = demo.get(f"/compute/v2.1/servers/{server_id}").json()["server"]
    assert server["status"] == "SHUTOFF"
    assert server["OS-EXT-STS:power_state"] == 4
    assert servers.pending() == []


def test_instance_gets_the_subnets_nameservers(deployment, demo, image_id):
    subnet = demo.get("/network/v2.0/subnets?name=private-subnet").json()["subnets"][0]
    demo.put(f"/network/v2.0/subnets/{subnet['id']}",
             json={"subnet": {"dns_nameservers": ["10.0.0.53"]}}).raise_for_status()
    servers = reconciler(deployment)
    server_id = boot(demo, image_id, name="dns")["server"]["id"]
    servers.reconcile(server_id)
    spec = deployment.cloud.compute_driver._instances[server_id].spec
    assert spec.nameservers == ("10.0.0.53",)


def test_a_delete_during_a_spawn_is_not_lost(deployment, demo, image_id):
    """The agent reports a finished spawn; the delete that came in meanwhile must win."""
    servers = reconciler(deployment)
    server_id = boot(demo, image_id, name="racy")["server"]["id"]
    assert demo.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    servers._record(server_id, "spawning", vm_state="active")  # a stale report
    assert row(deployment, server_id)["task_state"] == "deleting"
    servers.reconcile(server_id)
    assert demo.get(f"/compute/v2.1/servers/{server_id}").status_code == 404
