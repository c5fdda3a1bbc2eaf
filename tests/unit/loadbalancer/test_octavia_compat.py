"""Octavia API details: batch member update, member monitor fields, quota answers."""

from tests.unit.loadbalancer.conftest import L, fault, make, ok, settle


def _members(demo, pool_id: str) -> dict:
    listed = ok(demo.get(f"{L}/pools/{pool_id}/members"))["members"]
    return {(m["address"], m["protocol_port"]): m for m in listed}


def test_batch_update_creates_updates_and_deletes(demo, deployment, stack):
    pool_id = stack["pool"]["id"]
    body = {"members": [{"address": "10.1.0.12", "protocol_port": 8000, "weight": 5},
                        {"address": "10.1.0.13", "protocol_port": 8000, "name": "new"}]}
    answer = demo.put(f"{L}/pools/{pool_id}/members", json=body)
    assert answer.status_code == 202, answer.text
    settle(deployment)
    found = _members(demo, pool_id)
    assert sorted(found) == [("10.1.0.12", 8000), ("10.1.0.13", 8000)]
    assert found[("10.1.0.12", 8000)]["weight"] == 5
    assert found[("10.1.0.12", 8000)]["id"] == stack["members"][1]["id"]
    assert found[("10.1.0.13", 8000)]["name"] == "new"
    assert {m["provisioning_status"] for m in found.values()} == {"ACTIVE"}
    spec = deployment.cloud.loadbalancer_driver.loadbalancers[stack["lb"]["id"]]
    assert sorted(m.address for m in spec.pools[0].members) == ["10.1.0.12", "10.1.0.13"]


def test_batch_update_additive_only_keeps_the_others(demo, deployment, stack):
    pool_id = stack["pool"]["id"]
    body = {"members": [{"address": "10.1.0.14", "protocol_port": 8000}]}
    answer = demo.put(f"{L}/pools/{pool_id}/members?additive_only=true", json=body)
    assert answer.status_code == 202, answer.text
    settle(deployment)
    assert len(_members(demo, pool_id)) == 3


def test_a_bad_batch_changes_nothing(demo, deployment, stack, paused):
    pool_id = stack["pool"]["id"]
    for members in ([{"address": "10.1.0.20", "protocol_port": 80},
                     {"address": "10.1.0.20", "protocol_port": 80}],
                    [{"address": "10.1.0.21", "protocol_port": 80},
                     {"address": "not-an-ip", "protocol_port": 80}],
                    [{"address": "10.1.0.21", "protocol_port": 80, "name": "a\nb"}]):
        fault(demo.put(f"{L}/pools/{pool_id}/members", json={"members": members}), 400)
    assert sorted(_members(demo, pool_id)) == [("10.1.0.11", 8000), ("10.1.0.12", 8000)]
    make(demo, f"pools/{pool_id}/members", "member", address="10.1.0.22", protocol_port=80)
    fault(demo.put(f"{L}/pools/{pool_id}/members", json={"members": []}), 409)  # pending


def test_monitor_port_zero_is_refused_and_monitor_fields_can_be_cleared(demo, deployment,
                                                                        stack):
    pool_id = stack["pool"]["id"]
    fault(demo.post(f"{L}/pools/{pool_id}/members", json={"member": {
        "address": "10.1.0.30", "protocol_port": 80, "monitor_port": 0}}), 400)
    member = make(demo, f"pools/{pool_id}/members", "member", address="10.1.0.30",
                  protocol_port=80, monitor_address="10.1.0.31", monitor_port=8080)
    settle(deployment)
    url = f"{L}/pools/{pool_id}/members/{member['id']}"
    fault(demo.put(url, json={"member": {"monitor_port": 0}}), 400)
    cleared = ok(demo.put(url, json={"member": {"monitor_address": None,
                                                "monitor_port": None}}))["member"]
    assert (cleared["monitor_address"], cleared["monitor_port"]) == (None, None)
    settle(deployment)
    kept = ok(demo.put(url, json={"member": {"weight": 3}}))["member"]
    assert (kept["monitor_address"], kept["monitor_port"], kept["weight"]) == (None, None, 3)
