"""The rebuild action: a new image and fields for a server that keeps its id and ports."""

from __future__ import annotations

from pocketstack.db.models.compute import Server
from tests.unit.compute.server_helpers import action, mv, show, wait_for


def second_image(api) -> str:
    body = {"name": "alt", "container_format": "bare", "disk_format": "raw"}
    image = api.post("/image/v2/images", json=body).json()
    response = api.put(f"/image/v2/images/{image['id']}/file", content=b"\0" * 512,
                       headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 204, response.text
    return image["id"]


def rebuild(api, server_id: str, version: str = "2.1", **body):
    return api.post(f"/compute/v2.1/servers/{server_id}/action", json={"rebuild": body},
                    headers=mv(version))


def test_rebuild_replaces_image_and_fields_keeps_addresses(demo, active_server, deployment):
    server_id = active_server["id"]
    new_image = second_image(demo)
    driver = deployment.cloud.compute_driver
    before = driver._instances[server_id]
    answer = rebuild(demo, server_id, imageRef=new_image, name="php-2",
                     metadata={"rebuilt": "yes"}, adminPass="ignored")
    assert answer.status_code == 202, answer.text
    shown = answer.json()["server"]
    assert shown["id"] == server_id and shown["image"]["id"] == new_image
    assert shown["name"] == "php-2" and shown["metadata"] == {"rebuilt": "yes"}
    assert "adminPass" not in shown
    done = wait_for(demo, server_id, "ACTIVE")
    assert done["image"]["id"] == new_image and done["addresses"] == active_server["addresses"]
    after = driver._instances[server_id]
    assert after is not before and after.spec.image_id == new_image
    assert after.spec.hostname == "php-2"


def test_rebuild_shows_rebuild_status_while_it_runs(demo, active_server, deployment):
    deployment.agent.stop()
    answer = rebuild(demo, active_server["id"], imageRef=active_server["image"]["id"])
    assert answer.json()["server"]["status"] == "REBUILD"
    listed = demo.get("/compute/v2.1/servers/detail?status=REBUILD").json()["servers"]
    assert [server["id"] for server in listed] == [active_server["id"]]
    assert rebuild(demo, active_server["id"], imageRef=active_server["image"]["id"]
                   ).status_code == 409


def test_a_stopped_server_stays_stopped(demo, active_server, deployment):
    server_id = active_server["id"]
    action(demo, server_id, {"os-stop": None})
    wait_for(demo, server_id, "SHUTOFF")
    new_image = second_image(demo)
    assert rebuild(demo, server_id, imageRef=new_image).status_code == 202
    stopped = wait_for(demo, server_id, "SHUTOFF")
    assert stopped["image"]["id"] == new_image
    assert server_id not in deployment.cloud.compute_driver.list_instances()
    action(demo, server_id, {"os-start": None})
    wait_for(demo, server_id, "ACTIVE")
    spec = deployment.cloud.compute_driver._instances[server_id].spec
    assert spec.image_id == new_image


def test_rebuild_from_error_becomes_active(demo, active_server, deployment):
    server_id = active_server["id"]
    with deployment.cloud.db.session() as session:
        server = session.get(Server, server_id)
        server.vm_state, server.fault = "error", {"code": 500, "message": "boom"}
    assert show(demo, server_id).json()["server"]["status"] == "ERROR"
    assert rebuild(demo, server_id, imageRef=active_server["image"]["id"]).status_code == 202
    assert "fault" not in wait_for(demo, server_id, "ACTIVE")


def test_admin_sees_user_data_once_at_2_75(admin, active_server):
    answer = rebuild(admin, active_server["id"], "2.75", imageRef=active_server["image"]["id"])
    shown = answer.json()["server"]
    assert "user_data" in shown and "OS-EXT-SRV-ATTR:user_data" not in shown
    assert "OS-EXT-SRV-ATTR:host" in shown  # the full view, from 2.75


def test_versioned_fields_and_bad_bodies(demo, active_server, keypair, image_id):
    server_id = active_server["id"]
    assert rebuild(demo, server_id, name="x").status_code == 400  # no imageRef
    assert rebuild(demo, server_id, imageRef="not-a-uuid").status_code == 400
    missing = "8b1a2c3d-0000-4000-8000-000000000000"
    assert rebuild(demo, server_id, imageRef=missing).status_code == 400
    assert rebuild(demo, server_id, imageRef=image_id, key_name=keypair).status_code == 400
    assert rebuild(demo, server_id, imageRef=image_id, bogus=1).status_code == 400
    answer = rebuild(demo, server_id, "2.54", imageRef=image_id, key_name=None)
    assert answer.status_code == 202, answer.text
    assert answer.json()["server"]["key_name"] is None
    assert "user_data" not in answer.json()["server"]
    done = wait_for(demo, server_id, "ACTIVE", version="2.54")
    assert done["key_name"] is None
    answer = rebuild(demo, server_id, "2.57", imageRef=image_id, user_data="IyEvYmluL3NoCg==")
    assert answer.json()["server"]["user_data"] == "IyEvYmluL3NoCg=="
    wait_for(demo, server_id, "ACTIVE")
    answer = rebuild(demo, server_id, "2.71", imageRef=image_id, description="d")
    assert answer.json()["server"]["server_groups"] == []
    assert rebuild(demo, missing, imageRef=image_id).status_code == 404
