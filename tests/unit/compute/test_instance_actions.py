"""``os-instance-actions``: recorded by the existing code paths, finished by the reconciler."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pocketstack.agent.servers import ServerReconciler
from pocketstack.db.base import utcnow
from pocketstack.db.models.compute import InstanceAction
from pocketstack.services.compute import instance_actions
from tests.unit.compute.server_helpers import action, boot, mv, wait_for

UUID = "7b1f2a9c-1111-4c1d-9e2f-0a0b0c0d0e0f"


def actions_of(api, server_id: str, version: str = "2.1"):
    return api.get(f"/compute/v2.1/servers/{server_id}/os-instance-actions", headers=mv(version))


def rows(deployment, server_id: str) -> list[InstanceAction]:
    with deployment.cloud.db.session() as session:
        return list(session.scalars(select(InstanceAction).where(
            InstanceAction.server_id == server_id).order_by(InstanceAction.created_at)))


def test_create_and_reboot_are_listed_newest_first(demo, image_id):
    created = demo.post("/compute/v2.1/servers", json={"server": {
        "name": "a", "imageRef": image_id, "flavorRef": "1"}})
    server_id = created.json()["server"]["id"]
    request_id = created.headers["x-compute-request-id"]
    wait_for(demo, server_id, "ACTIVE")
    assert action(demo, server_id, {"reboot": {"type": "HARD"}}).status_code == 202
    wait_for(demo, server_id, "ACTIVE")
    listed = actions_of(demo, server_id)
    assert listed.status_code == 200
    found = listed.json()["instanceActions"]
    assert [item["action"] for item in found] == ["reboot", "create"]
    assert found[1]["request_id"] == request_id
    assert found[1]["instance_uuid"] == server_id and found[1]["message"] is None
    assert set(found[1]) == {"action", "instance_uuid", "message", "project_id",
                             "request_id", "start_time", "user_id"}
    shown = demo.get(f"/compute/v2.1/servers/{server_id}/os-instance-actions/{request_id}",
                     headers=mv("2.51"))
    assert shown.status_code == 200, shown.text
    body = shown.json()["instanceAction"]
    assert body["action"] == "create" and body["user_id"] == found[1]["user_id"]
    [event] = body["events"]
    assert event["event"] == "compute__do_build_and_run_instance"
    assert event["result"] == "Success" and event["finish_time"] is not None
    assert "traceback" not in event  # admin only


def test_events_are_admin_only_before_2_51(demo, admin, active_server):
    server_id = active_server["id"]
    request_id = actions_of(demo, server_id).json()["instanceActions"][0]["request_id"]
    path = f"/compute/v2.1/servers/{server_id}/os-instance-actions/{request_id}"
    assert "events" not in demo.get(path).json()["instanceAction"]
    [event] = admin.get(path, headers=mv("2.62")).json()["instanceAction"]["events"]
    assert event["traceback"] is None and "hostId" in event and "host" in event


def test_missing_server_or_request_is_404(demo, active_server):
    assert actions_of(demo, UUID).status_code == 404
    missing = demo.get(f"/compute/v2.1/servers/{active_server['id']}/os-instance-actions/999")
    assert missing.status_code == 404


def test_another_project_sees_nothing(admin, demo, image_id, deployment):
    server_id = boot(admin, image_id)["server"]["id"]
    assert actions_of(demo, server_id).status_code == 404
    assert actions_of(demo, server_id, "2.21").status_code == 404


def test_deleted_server_actions_from_2_21(demo, active_server):
    server_id = active_server["id"]
    assert demo.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    wait_for(demo, server_id, "GONE")
    assert actions_of(demo, server_id).status_code == 404
    listed = actions_of(demo, server_id, "2.21").json()["instanceActions"]
    assert sorted(item["action"] for item in listed) == ["create", "delete"]


def test_refused_action_records_nothing(demo, active_server, deployment):
    server_id = active_server["id"]
    assert action(demo, server_id, {"os-start": None}).status_code == 409
    assert [row.action for row in rows(deployment, server_id)] == ["create"]


def test_each_action_is_recorded_with_its_event(demo, active_server, deployment):
    server_id = active_server["id"]
    for body, status in (({"os-stop": None}, "SHUTOFF"), ({"os-start": None}, "ACTIVE"),
                         ({"createImage": {"name": "snap"}}, "ACTIVE"),
                         ({"lock": None}, "ACTIVE"), ({"unlock": None}, "ACTIVE")):
        assert action(demo, server_id, body).status_code == 202
        wait_for(demo, server_id, status)
    recorded = rows(deployment, server_id)
    assert [row.action for row in recorded] == ["create", "stop", "start", "createImage",
                                                "lock", "unlock"]
    assert [row.event is None for row in recorded] == [False] * 4 + [True] * 2
    assert all(row.result == "Success" for row in recorded if row.event)
    assert len({row.request_id for row in recorded}) == 6


def test_action_row_commits_with_the_desired_state(demo, image_id, deployment):
    """The agent is down (a crash): the accepted action is there with its event open, and
    the reconciler finishes it after a restart."""
    deployment.agent.stop()
    server_id = boot(demo, image_id)["server"]["id"]
    [row] = rows(deployment, server_id)
    assert row.action == "create" and row.finished_at is None and row.result is None
    ServerReconciler(deployment.cloud, deployment.cloud.compute_driver).reconcile(server_id)
    [row] = rows(deployment, server_id)
    assert row.result == "Success" and row.finished_at is not None


def test_a_failed_spawn_finishes_its_event_with_error(demo, image_id, deployment):
    deployment.agent.stop()
    deployment.cloud.compute_driver.fail_spawn_matching("doomed")
    server_id = boot(demo, image_id, name="doomed")["server"]["id"]
    ServerReconciler(deployment.cloud, deployment.cloud.compute_driver).fail(server_id, "boom")
    [row] = rows(deployment, server_id)
    assert row.result == "Error" and row.message == "Error"


def test_records_stay_small(demo, active_server, deployment, monkeypatch):
    monkeypatch.setattr(instance_actions, "MAX_PER_SERVER", 3)
    server_id = active_server["id"]
    for verb in ("lock", "unlock") * 2:
        assert action(demo, server_id, {verb: None}).status_code == 202
    assert [row.action for row in rows(deployment, server_id)] == ["unlock", "lock", "unlock"]
    assert demo.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    wait_for(demo, server_id, "GONE")
    with deployment.cloud.db.session() as session:
        instance_actions.prune_deleted(session, utcnow() + timedelta(days=1))
    assert rows(deployment, server_id)
    with deployment.cloud.db.session() as session:
        instance_actions.prune_deleted(session, utcnow() + timedelta(days=8))
    assert rows(deployment, server_id) == []


def test_paging_from_2_58(demo, active_server):
    server_id = active_server["id"]
    for _ in range(2):
        action(demo, server_id, {"lock": None})
    listed = actions_of(demo, server_id, "2.58").json()["instanceActions"]
    assert len(listed) == 3 and "updated_at" in listed[0]
    path = f"/compute/v2.1/servers/{server_id}/os-instance-actions"
    page = demo.get(f"{path}?limit=1&marker={listed[0]['request_id']}", headers=mv("2.58"))
    assert [item["request_id"] for item in page.json()["instanceActions"]] == [
        listed[1]["request_id"]]
    assert demo.get(f"{path}?marker=nope", headers=mv("2.58")).status_code == 400
