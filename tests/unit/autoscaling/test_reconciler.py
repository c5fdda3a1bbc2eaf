"""The scaling reconciler with the fake drivers, a settable metric and a stand-in pool."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pocketstack.agent.loop import Agent
from pocketstack.agent.scaling import ScalingReconciler
from pocketstack.db.models.autoscaling import ScalingEvent, ScalingServer
from pocketstack.services import quota
from tests.unit.autoscaling.conftest import A, create, ok
from tests.unit.autoscaling.fakes import FakeMembers, FakeMetrics

POOL = {"pool_id": "pool-1", "protocol_port": 80}


@dataclass
class Harness:
    deployment: object
    agent: Agent
    scaling: ScalingReconciler
    metrics: FakeMetrics

    def settle(self, passes: int = 4) -> None:
        for _ in range(passes):
            self.agent.run_once()


@pytest.fixture
def scaler(deployment) -> Harness:
    """The deployment's reconcilers run by hand, the scaling one with a fake metric."""
    deployment.agent.stop()
    metrics = FakeMetrics()
    scaling = ScalingReconciler(deployment.cloud, metrics, period=0)
    others = [r for r in deployment.agent.reconcilers if r.kind != scaling.kind]
    agent = Agent([*others, scaling], workers=1)
    return Harness(deployment, agent, scaling, metrics)


@pytest.fixture
def members(monkeypatch) -> FakeMembers:
    return FakeMembers().install(monkeypatch)


def show(api, group_id: str) -> dict:
    return ok(api.get(f"{A}/groups/{group_id}"))["group"]


def actions(api, group_id: str) -> list[str]:
    """Event actions, oldest first."""
    return [e["action"] for e in reversed(ok(api.get(f"{A}/groups/{group_id}/events"))["events"])]


def server_names(api) -> list[str]:
    return sorted(s["name"] for s in ok(api.get("/compute/v2.1/servers"))["servers"])


def test_a_new_group_boots_min_size_servers(scaler, demo):
    group = create(demo, min_size=2)
    scaler.settle()
    shown = show(demo, group["id"])
    assert shown["status"] == "ACTIVE" and shown["current_size"] == 2
    assert [s["status"] for s in shown["servers"]] == ["ACTIVE", "ACTIVE"]
    names = server_names(demo)
    assert len(names) == 2 and all(n.startswith("php-") and len(n) == 10 for n in names)
    assert names == sorted(s["name"] for s in shown["servers"])
    assert actions(demo, group["id"]) == ["scale_out", "server_create", "server_create"]


def test_metric_over_target_scales_out_and_is_recorded(scaler, demo):
    group = create(demo, metric={"type": "cpu", "target": 10})
    scaler.settle()
    scaler.metrics.value = 35.0
    scaler.settle()
    shown = show(demo, group["id"])
    assert shown["desired_size"] == 4 and shown["current_size"] == 4
    assert shown["last_metric"] == 35.0
    decision = next(e for e in ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
                    if e["action"] == "scale_out" and e["metric"] is not None)
    assert (decision["from_size"], decision["to_size"], decision["metric"]) == (1, 4, 35.0)
    assert "cpu 35" in decision["reason"] and "target 10" in decision["reason"]
    assert len(server_names(demo)) == 4


def test_scale_out_respects_its_cooldown(scaler, demo):
    group = create(demo, scale_out_cooldown=3600, metric={"type": "cpu", "target": 10})
    scaler.metrics.value = 15.0
    scaler.settle()
    assert show(demo, group["id"])["desired_size"] == 2  # first scale-out: no cooldown yet
    scaler.metrics.value = 40.0
    scaler.settle()
    assert show(demo, group["id"])["desired_size"] == 2


def test_active_servers_join_the_pool(scaler, demo, members):
    group = create(demo, min_size=2, load_balancer=POOL)
    scaler.settle()
    shown = show(demo, group["id"])
    assert all(s["member_id"] in members.members for s in shown["servers"])
    servers = {s["id"]: s for s in ok(demo.get("/compute/v2.1/servers/detail"))["servers"]}
    for entry in shown["servers"]:
        member = members.members[entry["member_id"]]
        address = next(iter(servers[entry["id"]]["addresses"].values()))[0]["addr"]
        assert (member["address"], member["protocol_port"]) == (address, 80)
        assert member["name"] == entry["name"]
    assert actions(demo, group["id"]).count("member_join") == 2


def test_a_server_whose_pool_went_away_serves_without_joining(scaler, demo, members):
    group = create(demo, min_size=1, load_balancer=POOL)
    members.pools.clear()  # e.g. its load balancer was deleted with cascade
    scaler.settle()
    shown = show(demo, group["id"])
    assert shown["status"] == "ACTIVE" and shown["servers"][0]["member_id"] is None
    error = next(e for e in ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
                 if e["action"] == "error")
    assert "pool-1 is gone" in error["reason"]


def test_a_settling_group_is_looked_at_sooner(scaler, demo):
    scaling = ScalingReconciler(scaler.deployment.cloud, scaler.metrics, period=5,
                                settling_period=0.1)
    group = create(demo, min_size=1)
    assert scaling.reconcile(group["id"]).requeue_after == 0.1  # its server boots
    scaler.settle()
    assert show(demo, group["id"])["status"] == "ACTIVE"
    assert scaling.reconcile(group["id"]).requeue_after == 5


def test_scale_in_drains_the_newest_member_first(scaler, demo, members):
    group = create(demo, min_size=1, load_balancer=POOL, scale_in_cooldown=0,
                   drain_timeout=3600, metric={"type": "cpu", "target": 10})
    scaler.metrics.value = 25.0
    scaler.settle()
    before = show(demo, group["id"])["servers"]
    assert len(before) == 3
    newest = max(before, key=lambda s: members.members[s["member_id"]]["order"])
    scaler.metrics.value = 15.0
    scaler.metrics.sessions = {newest["member_id"]: 2}
    scaler.settle()
    draining = {s["id"]: s for s in show(demo, group["id"])["servers"]}[newest["id"]]
    assert draining["scaling_state"] == "draining"
    assert members.members[newest["member_id"]]["weight"] == 0
    assert len(server_names(demo)) == 3  # still serving its sessions
    scaler.metrics.sessions = {newest["member_id"]: 0}
    scaler.settle()
    assert newest["member_id"] not in members.members
    after = show(demo, group["id"])
    assert newest["id"] not in {s["id"] for s in after["servers"]}
    assert after["current_size"] == 2 and len(server_names(demo)) == 2
    tail = actions(demo, group["id"])[-4:]
    assert tail == ["scale_in", "member_drain", "member_remove", "server_delete"]


def test_a_drain_counts_sessions_only_once_its_weight_is_applied(scaler, demo, members):
    group = create(demo, load_balancer=POOL, drain_timeout=3600, metric=None)
    ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 2}), 202)
    scaler.settle()
    ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 1}), 202)
    scaler.settle(1)
    drained = next(m for m in members.members.values() if m["weight"] == 0)
    drained["provisioning_status"] = "PENDING_UPDATE"  # the load balancer has not reloaded
    scaler.settle()
    assert drained["id"] in members.members and "member_remove" not in actions(demo, group["id"])
    drained["provisioning_status"] = "ACTIVE"
    scaler.settle()
    assert drained["id"] not in members.members
    assert actions(demo, group["id"])[-2:] == ["member_remove", "server_delete"]


def test_a_drain_ends_at_its_timeout(scaler, demo, members):
    group = create(demo, load_balancer=POOL, drain_timeout=0, metric=None)
    ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 2}), 202)
    scaler.settle()
    first = show(demo, group["id"])["servers"]
    scaler.metrics.sessions = {s["member_id"]: 9 for s in first}
    ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 1}), 202)
    scaler.settle()
    assert len(show(demo, group["id"])["servers"]) == 1 and len(members.members) == 1
    events = ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
    removed = next(e for e in events if e["action"] == "member_remove")
    assert "timeout" in removed["reason"] and "9 sessions" in removed["reason"]


def test_an_unreadable_metric_is_one_event_and_no_decision(scaler, demo):
    group = create(demo, metric={"type": "cpu", "target": 10})
    scaler.metrics.value = RuntimeError("GET http://x/: timed out")
    scaler.settle(passes=5)
    shown = show(demo, group["id"])
    assert shown["desired_size"] == 1 and shown["last_metric"] is None
    errors = [e for e in ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]
              if e["action"] == "error"]
    assert [e["reason"] for e in errors] == ["metric unavailable: GET http://x/: timed out"]


def test_quota_stops_growth_with_an_error_until_raised(scaler, demo, deployment):
    project_id = deployment.accounts["demo"].project_id
    with deployment.cloud.db.session() as session:
        quota.set_limits(session, project_id, {"instances": 2})
    group = create(demo, max_size=4)
    ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 3}), 202)
    scaler.settle()
    shown = show(demo, group["id"])
    assert shown["status"] == "ERROR" and "Quota exceeded" in shown["status_reason"]
    assert len(server_names(demo)) == 2
    with deployment.cloud.db.session() as session:
        quota.set_limits(session, project_id, {"instances": 10})
    scaler.settle()
    shown = show(demo, group["id"])
    assert shown["status"] == "ACTIVE" and shown["current_size"] == 3


def test_a_server_deleted_behind_its_back_is_replaced(scaler, demo):
    group = create(demo, min_size=2)
    scaler.settle()
    victim = show(demo, group["id"])["servers"][0]
    assert demo.delete(f"/compute/v2.1/servers/{victim['id']}").status_code == 204
    scaler.settle(passes=6)
    shown = show(demo, group["id"])
    assert shown["current_size"] == 2 and victim["id"] not in {s["id"] for s in shown["servers"]}
    reasons = [e["reason"] for e in ok(demo.get(f"{A}/groups/{group['id']}/events"))["events"]]
    assert any("deleted outside the group" in r for r in reasons)


def test_a_failed_server_is_replaced(scaler, demo, deployment):
    deployment.cloud.compute_driver.fail_spawn_matching("^php-")
    group = create(demo)
    scaler.settle(passes=3)
    deployment.cloud.compute_driver.fail_spawn_matching(None)
    scaler.settle(passes=6)
    shown = show(demo, group["id"])
    assert shown["current_size"] == 1 and shown["servers"][0]["status"] == "ACTIVE"
    assert "error" in actions(demo, group["id"])


def test_deleting_a_group_drains_and_removes_everything(scaler, demo, members, deployment):
    group = create(demo, min_size=2, load_balancer=POOL, drain_timeout=0)
    scaler.settle()
    assert demo.delete(f"{A}/groups/{group['id']}").status_code == 204
    scaler.settle(passes=6)
    assert demo.get(f"{A}/groups/{group['id']}").status_code == 404
    assert server_names(demo) == [] and members.members == {}
    with deployment.cloud.db.session() as session:
        assert session.query(ScalingEvent).count() == 0
        assert session.query(ScalingServer).count() == 0


def test_a_restarted_agent_resumes_joins_and_drains(scaler, demo, members, deployment):
    """Kill -9 between any two passes: every step is committed, so fresh reconcilers
    (nothing in memory) on the same store finish what was started."""
    group = create(demo, max_size=2, load_balancer=POOL, drain_timeout=3600, metric=None)
    ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 2}), 202)
    scaler.agent.run_once()  # servers created, not ACTIVE yet
    assert all(s["member_id"] is None for s in show(demo, group["id"])["servers"])
    scaler.scaling = ScalingReconciler(deployment.cloud, scaler.metrics, period=0)
    scaler.agent = Agent([*scaler.agent.reconcilers[:-1], scaler.scaling], workers=1)
    scaler.settle()
    joined = show(demo, group["id"])["servers"]
    assert all(s["member_id"] in members.members for s in joined)
    scaler.metrics.sessions = {s["member_id"]: 1 for s in joined}
    ok(demo.post(f"{A}/groups/{group['id']}/resize", json={"desired_size": 1}), 202)
    scaler.settle()
    fresh = ScalingReconciler(deployment.cloud, scaler.metrics, period=0)
    scaler.metrics.sessions = {}  # the drained member has no session left
    fresh.reconcile(group["id"])
    scaler.settle()
    shown = show(demo, group["id"])
    assert len(shown["servers"]) == 1 and len(members.members) == 1
