"""``createBackup``: a snapshot of type backup, rotated once it is stored."""

from __future__ import annotations

from pocketstack.agent.servers import ServerReconciler
from pocketstack.db.models.image import Image
from tests.unit.compute.server_helpers import action, mv, wait_for


def backup(api, server_id: str, name: str, rotation=2, backup_type: str = "daily",
           version: str = "2.1"):
    body = {"createBackup": {"name": name, "backup_type": backup_type, "rotation": rotation}}
    return action(api, server_id, body, version=version)


def backups_of(api, server_id: str, backup_type: str = "daily") -> list[str]:
    query = (f"image_type=backup&instance_uuid={server_id}&backup_type={backup_type}"
             "&sort_key=created_at&sort_dir=asc")
    return [image["name"] for image in api.get(f"/image/v2/images?{query}").json()["images"]]


def test_rotation_keeps_the_newest(demo, active_server):
    server_id = active_server["id"]
    for index in (1, 2, 3):
        answer = backup(demo, server_id, f"b{index}")
        assert answer.status_code == 202, answer.text
        assert "/images/" in answer.headers["Location"]
        wait_for(demo, server_id, "ACTIVE")
    assert backups_of(demo, server_id) == ["b2", "b3"]
    weekly = backup(demo, server_id, "w1", backup_type="weekly", version="2.45")
    image_id = weekly.json()["image_id"]
    wait_for(demo, server_id, "ACTIVE")
    assert backups_of(demo, server_id) == ["b2", "b3"]
    shown = demo.get(f"/image/v2/images/{image_id}").json()
    assert shown["status"] == "active" and shown["image_type"] == "backup"
    assert shown["backup_type"] == "weekly" and shown["instance_uuid"] == server_id


def test_rotation_zero_keeps_none(demo, active_server):
    server_id = active_server["id"]
    backup(demo, server_id, "b1")
    wait_for(demo, server_id, "ACTIVE")
    answer = backup(demo, server_id, "b2", rotation=0, version="2.45")
    assert answer.status_code == 202 and answer.content == b""
    wait_for(demo, server_id, "ACTIVE")
    assert backups_of(demo, server_id) == []


def test_bad_requests(demo, active_server):
    server_id = active_server["id"]
    assert backup(demo, server_id, "b", rotation=-1).status_code == 400
    assert backup(demo, server_id, "b", rotation="x").status_code == 400
    assert backup(demo, server_id, "b", backup_type="").status_code == 400
    body = {"createBackup": {"name": "b", "backup_type": "daily"}}
    assert action(demo, server_id, body).status_code == 400
    body = {"createBackup": {"backup_type": "daily", "rotation": 1}}
    assert action(demo, server_id, body).status_code == 400
    body = {"createBackup": {"name": "b", "backup_type": "d", "rotation": 1, "x": 1}}
    assert action(demo, server_id, body).status_code == 400
    missing = backup(demo, "7b1f2a9c-1111-4c1d-9e2f-0a0b0c0d0e0f", "b")
    assert missing.status_code == 404


def test_a_crash_before_rotation_rotates_on_restart(demo, active_server, deployment):
    """The agent dies after storing the backup, before rotating: the next pass rotates."""
    server_id = active_server["id"]
    for index in (1, 2):
        backup(demo, server_id, f"b{index}", rotation=1)
        wait_for(demo, server_id, "ACTIVE")
    deployment.agent.stop()
    image_id = backup(demo, server_id, "b3", rotation=1, version="2.45").json()["image_id"]
    with deployment.cloud.db.session() as session:
        session.get(Image, image_id).status = "active"  # stored, then the crash
    assert backups_of(demo, server_id) == ["b2", "b3"]
    ServerReconciler(deployment.cloud, deployment.cloud.compute_driver).reconcile(server_id)
    assert backups_of(demo, server_id) == ["b3"]
    actions = demo.get(f"/compute/v2.1/servers/{server_id}/os-instance-actions",
                       headers=mv("2.1")).json()["instanceActions"]
    assert [item["action"] for item in actions][:3] == ["createBackup"] * 3
