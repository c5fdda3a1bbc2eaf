"""Listeners, pools, members and health monitors through the API (fake drivers)."""

from pocketstack.drivers.loadbalancer.base import LoadBalancerStats, MemberStats
from tests.unit.loadbalancer.conftest import L, driver, fault, make, ok, settle, show


def test_a_whole_stack_reaches_the_driver(demo, deployment, stack):
    lb, listener, pool = stack["lb"], stack["listener"], stack["pool"]
    assert show(demo, "listeners", "listener", listener["id"])["default_pool_id"] == pool["id"]
    shown = show(demo, "pools", "pool", pool["id"])
    assert shown["listeners"] == [{"id": listener["id"]}]
    assert shown["loadbalancers"] == [{"id": lb["id"]}]
    assert sorted(m["id"] for m in shown["members"]) == sorted(
        m["id"] for m in stack["members"])
    shown_lb = show(demo, "loadbalancers", "loadbalancer", lb["id"])
    assert shown_lb["listeners"] == [{"id": listener["id"]}]
    assert shown_lb["pools"] == [{"id": pool["id"]}]
    spec = driver(deployment).loadbalancers[lb["id"]]
    assert [(x.protocol, x.protocol_port, x.default_pool_id) for x in spec.listeners] == [
        ("HTTP", 80, pool["id"])]
    assert [(m.address, m.protocol_port) for m in spec.pools[0].members] == [
        ("10.1.0.11", 8000), ("10.1.0.12", 8000)]
    for member in stack["members"]:
        shown = show(demo, f"pools/{pool['id']}/members", "member", member["id"])
        assert (shown["provisioning_status"], shown["operating_status"]) == (
            "ACTIVE", "NO_MONITOR")


def test_a_second_change_waits_for_the_agent(demo, lb, paused):
    make(demo, "listeners", "listener", loadbalancer_id=lb["id"], protocol="TCP",
         protocol_port=3306)
    assert "immutable" in fault(demo.post(f"{L}/listeners", json={"listener": {
        "loadbalancer_id": lb["id"], "protocol": "TCP", "protocol_port": 22}}), 409)


def test_listener_refusals(demo, deployment, lb):
    def refused(status: int, **fields) -> str:
        body = {"loadbalancer_id": lb["id"], "protocol": "HTTP", "protocol_port": 80, **fields}
        return fault(demo.post(f"{L}/listeners", json={"listener": body}), status)

    assert "not supported" in refused(400, protocol="UDP")
    refused(400, protocol="GOPHER")
    refused(400, protocol_port=70000)
    refused(400, default_tls_container_ref="https://barbican/secret")
    refused(404, loadbalancer_id="nope")
    make(demo, "listeners", "listener", loadbalancer_id=lb["id"], protocol="HTTP",
         protocol_port=80)
    settle(deployment)
    assert "protocol_port 80" in refused(409)


def test_pool_rules(demo, deployment, stack):
    listener = stack["listener"]
    assert "already has default pool" in fault(demo.post(f"{L}/pools", json={"pool": {
        "listener_id": listener["id"], "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN"}}),
        409)
    fault(demo.post(f"{L}/pools", json={"pool": {"protocol": "HTTP",
                                                 "lb_algorithm": "ROUND_ROBIN"}}), 400)
    fault(demo.post(f"{L}/pools", json={"pool": {
        "loadbalancer_id": stack["lb"]["id"], "protocol": "HTTP",
        "lb_algorithm": "SOURCE_IP_PORT"}}), 400)
    fault(demo.post(f"{L}/pools", json={"pool": {
        "loadbalancer_id": stack["lb"]["id"], "protocol": "HTTP", "lb_algorithm": "ROUND_ROBIN",
        "session_persistence": {"type": "HTTP_COOKIE"}}}), 400)
    tcp = make(demo, "pools", "pool", loadbalancer_id=stack["lb"]["id"], protocol="TCP",
               lb_algorithm="LEAST_CONNECTIONS")
    settle(deployment)
    assert "invalid while the listener protocol" in fault(demo.put(
        f"{L}/listeners/{listener['id']}", json={"listener": {"default_pool_id": tcp["id"]}}),
        400)


def test_member_rules(demo, deployment, stack):
    pool = stack["pool"]
    path = f"{L}/pools/{pool['id']}/members"
    assert "already using ip" in fault(demo.post(path, json={"member": {
        "address": "10.1.0.11", "protocol_port": 8000}}), 409)
    fault(demo.post(path, json={"member": {"address": "10.1.0.300", "protocol_port": 80}}), 400)
    fault(demo.post(path, json={"member": {"address": "10.1.0.30", "protocol_port": 0}}), 400)
    fault(demo.post(path, json={"member": {"address": "10.1.0.30", "protocol_port": 80,
                                           "weight": 257}}), 400)
    fault(demo.post(f"{L}/pools/nope/members", json={"member": {
        "address": "10.1.0.30", "protocol_port": 80}}), 404)
    member = stack["members"][0]
    body = ok(demo.put(f"{path}/{member['id']}", json={"member": {"weight": 0}}))["member"]
    assert (body["weight"], body["provisioning_status"]) == (0, "PENDING_UPDATE")
    settle(deployment)
    spec = driver(deployment).loadbalancers[stack["lb"]["id"]]
    assert {m.id: m.weight for m in spec.pools[0].members}[member["id"]] == 0
    ok(demo.delete(f"{path}/{member['id']}"), 204)
    settle(deployment)
    assert demo.get(f"{path}/{member['id']}").status_code == 404
    assert [m["id"] for m in ok(demo.get(path))["members"]] == [stack["members"][1]["id"]]


def test_health_monitor_drives_operating_status(demo, deployment, stack):
    pool, lb = stack["pool"], stack["lb"]
    monitor = make(demo, "healthmonitors", "healthmonitor", pool_id=pool["id"], type="HTTP",
                   delay=2, timeout=1, max_retries=2, url_path="/health")
    assert (monitor["http_method"], monitor["expected_codes"]) == ("GET", "200")
    settle(deployment)
    assert show(demo, "pools", "pool", pool["id"])["healthmonitor_id"] == monitor["id"]
    spec = driver(deployment).loadbalancers[lb["id"]]
    assert spec.pools[0].health_monitor.url_path == "/health"
    statuses = _member_statuses(demo, pool["id"])
    assert set(statuses.values()) == {"ONLINE"}
    down, up = (m["id"] for m in stack["members"])
    driver(deployment).set_stats(lb["id"], LoadBalancerStats(members={
        down: MemberStats(status="DOWN"), up: MemberStats(status="UP")}))
    _health_pass(deployment)
    assert _member_statuses(demo, pool["id"]) == {down: "ERROR", up: "ONLINE"}
    assert show(demo, "pools", "pool", pool["id"])["operating_status"] == "DEGRADED"
    assert show(demo, "loadbalancers", "loadbalancer", lb["id"])["operating_status"] == (
        "DEGRADED")
    driver(deployment).set_stats(lb["id"], LoadBalancerStats(members={
        down: MemberStats(status="DOWN"), up: MemberStats(status="DOWN")}))
    _health_pass(deployment)
    assert show(demo, "pools", "pool", pool["id"])["operating_status"] == "ERROR"


def _member_statuses(demo, pool_id: str) -> dict:
    members = ok(demo.get(f"{L}/pools/{pool_id}/members"))["members"]
    return {m["id"]: m["operating_status"] for m in members}


def _health_pass(deployment) -> None:
    from pocketstack.agent.loadbalancers import LoadBalancerHealthReconciler

    deployment.agent.stop()
    health = next(r for r in deployment.agent.reconcilers
                  if isinstance(r, LoadBalancerHealthReconciler))
    for key in health.pending():
        health.reconcile(key)


def test_health_monitor_refusals(demo, deployment, stack):
    pool = stack["pool"]

    def refused(status: int, **fields) -> str:
        body = {"pool_id": pool["id"], "type": "TCP", "delay": 5, "timeout": 3,
                "max_retries": 3, **fields}
        return fault(demo.post(f"{L}/healthmonitors", json={"healthmonitor": body}), status)

    assert "less than or equal" in refused(400, timeout=6)
    refused(400, type="PING")
    refused(400, url_path="/x")
    refused(400, type="HTTP", expected_codes="2xx")
    refused(400, max_retries=11)
    make(demo, "healthmonitors", "healthmonitor", pool_id=pool["id"], type="TCP", delay=5,
         timeout=3, max_retries=3)
    settle(deployment)
    assert "already has a health monitor" in refused(409)


def test_deleting_a_pool_takes_its_members_and_monitor(demo, deployment, stack):
    pool, listener = stack["pool"], stack["listener"]
    monitor = make(demo, "healthmonitors", "healthmonitor", pool_id=pool["id"], type="TCP",
                   delay=5, timeout=3, max_retries=3)
    settle(deployment)
    ok(demo.delete(f"{L}/pools/{pool['id']}"), 204)
    assert show(demo, "listeners", "listener", listener["id"])["default_pool_id"] is None
    settle(deployment)
    assert demo.get(f"{L}/pools/{pool['id']}").status_code == 404
    assert demo.get(f"{L}/healthmonitors/{monitor['id']}").status_code == 404
    with deployment.cloud.db.session() as session:
        from sqlalchemy import func, select

        from pocketstack.db.models.loadbalancer import Member

        assert session.scalar(select(func.count()).select_from(Member)) == 0
    spec = driver(deployment).loadbalancers[stack["lb"]["id"]]
    assert spec.pools == () and spec.listeners[0].default_pool_id is None


def test_listener_delete_leaves_the_pool_on_the_load_balancer(demo, deployment, stack):
    ok(demo.delete(f"{L}/listeners/{stack['listener']['id']}"), 204)
    settle(deployment)
    pool = show(demo, "pools", "pool", stack["pool"]["id"])
    assert pool["listeners"] == [] and len(pool["members"]) == 2
