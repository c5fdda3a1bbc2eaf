"""Server actions: power, reboot, snapshot, consoles, lock; and metadata/tags."""

from __future__ import annotations

from pocketstack.db.models.image import Image
from tests.unit.compute.server_helpers import action, boot, mv, show, wait_for


def test_stop_and_start(demo, active_server, deployment):
    server_id = active_server["id"]
    assert action(demo, server_id, {"os-stop": None}).status_code == 202
    stopped = wait_for(demo, server_id, "SHUTOFF")
    assert stopped["OS-EXT-STS:power_state"] == 4
    again = action(demo, server_id, {"os-stop": None})
    assert again.status_code == 409
    assert again.json()["conflictingRequest"]["message"] == (
        f"Cannot 'stop' instance {server_id} while it is in vm_state stopped")
    assert action(demo, server_id, {"os-start": None}).status_code == 202
    assert wait_for(demo, server_id, "ACTIVE")["OS-EXT-STS:power_state"] == 1
    assert action(demo, server_id, {"os-start": None}).status_code == 409


def test_reboot_soft_and_hard(demo, active_server):
    server_id = active_server["id"]
    assert action(demo, server_id, {"reboot": {"type": "SOFT"}}).status_code == 202
    wait_for(demo, server_id, "ACTIVE")
    assert action(demo, server_id, {"reboot": {"type": "HARD"}}).status_code == 202
    wait_for(demo, server_id, "ACTIVE")
    assert action(demo, server_id, {"reboot": {"type": "GENTLE"}}).status_code == 400
    output = action(demo, server_id, {"os-getConsoleOutput": {}}).json()["output"]
    assert output.count("reboot") == 2


def test_console_output(demo, active_server):
    server_id = active_server["id"]
    answer = action(demo, server_id, {"os-getConsoleOutput": {"length": None}})
    assert answer.status_code == 200
    assert "php login:" in answer.json()["output"]
    last = action(demo, server_id, {"os-getConsoleOutput": {"length": 1}}).json()["output"]
    assert last == "php login:"  # exactly one line, as Tempest counts them
    assert action(demo, server_id, {"os-getConsoleOutput": {"length": "x"}}).status_code == 400


def test_console_output_needs_an_instance(demo, image_id, deployment):
    deployment.agent.stop()
    server_id = boot(demo, image_id)["server"]["id"]
    answer = action(demo, server_id, {"os-getConsoleOutput": {}})
    assert answer.status_code == 409


def test_interactive_consoles_are_refused(demo, active_server):
    server_id = active_server["id"]
    legacy = action(demo, server_id, {"os-getVNCConsole": {"type": "novnc"}})
    assert legacy.status_code == 409
    assert "no interactive console" in legacy.json()["conflictingRequest"]["message"]
    assert action(demo, server_id, {"os-getVNCConsole": {"type": "novnc"}},
                  version="2.6").status_code == 404
    body = {"remote_console": {"protocol": "vnc", "type": "novnc"}}
    answer = demo.post(f"/compute/v2.1/servers/{server_id}/remote-consoles", json=body,
                       headers=mv("2.6"))
    assert answer.status_code == 409
    assert action(demo, server_id, {"frobnicate": None}).status_code == 400


def image_status(deployment, image_id: str) -> str:
    with deployment.cloud.db.session() as session:
        return session.get(Image, image_id).status


def test_create_image_location_before_2_45(demo, active_server, deployment):
    server_id = active_server["id"]
    answer = action(demo, server_id, {"createImage": {"name": "snap"}}, version="2.44")
    assert answer.status_code == 202
    snapshot_id = answer.headers["Location"].rsplit("/", 1)[-1]
    wait_for(demo, server_id, "ACTIVE")
    assert image_status(deployment, snapshot_id) == "active"


def test_create_image_body_from_2_45_and_boot_from_it(demo, active_server, deployment):
    server_id = active_server["id"]
    answer = action(demo, server_id, {"createImage": {"name": "snap", "metadata": {"a": "b"}}},
                    version="2.45")
    assert answer.status_code == 202
    snapshot_id = answer.json()["image_id"]
    wait_for(demo, server_id, "ACTIVE")
    assert image_status(deployment, snapshot_id) == "active"
    second = boot(demo, snapshot_id, name="php2")["server"]["id"]
    assert wait_for(demo, second, "ACTIVE")["image"]["id"] == snapshot_id


def test_lock_blocks_members(demo, admin, active_server):
    server_id = active_server["id"]
    body = {"lock": {"locked_reason": "maintenance"}}
    assert action(demo, server_id, body, version="2.73").status_code == 202
    shown = show(demo, server_id, "2.73").json()["server"]
    assert shown["locked"] is True and shown["locked_reason"] == "maintenance"
    refused = demo.delete(f"/compute/v2.1/servers/{server_id}")
    assert refused.status_code == 409
    assert refused.json()["conflictingRequest"]["message"] == f"Instance {server_id} is locked"
    assert action(demo, server_id, {"unlock": None}).status_code == 202
    assert show(demo, server_id, "2.9").json()["server"]["locked"] is False


def test_metadata_api(demo, active_server):
    base = f"/compute/v2.1/servers/{active_server['id']}/metadata"
    assert demo.get(base).json() == {"metadata": {}}
    assert demo.post(base, json={"metadata": {"a": "1", "b": "2"}}).json() == {
        "metadata": {"a": "1", "b": "2"}}
    assert demo.put(base, json={"metadata": {"c": "3"}}).json() == {"metadata": {"c": "3"}}
    assert demo.get(f"{base}/c").json() == {"meta": {"c": "3"}}
    assert demo.put(f"{base}/d", json={"meta": {"d": "4"}}).json() == {"meta": {"d": "4"}}
    assert demo.put(f"{base}/d", json={"meta": {"e": "4"}}).status_code == 400
    assert demo.put(f"{base}/d", json={"meta": {"d": "4", "e": "5"}}).status_code == 400
    assert demo.delete(f"{base}/c").status_code == 204
    assert demo.get(f"{base}/c").status_code == 404
    assert demo.get(base).json() == {"metadata": {"d": "4"}}
    assert demo.post(base, json={"metadata": {"x": 5}}).status_code == 400


def test_tags_api(demo, active_server):
    base = f"/compute/v2.1/servers/{active_server['id']}/tags"
    at = mv("2.26")
    assert demo.get(base, headers=mv("2.25")).status_code == 404
    assert demo.put(base, json={"tags": ["b", "a"]}, headers=at).json() == {"tags": ["a", "b"]}
    assert demo.put(f"{base}/c", headers=at).status_code == 201
    assert demo.put(f"{base}/c", headers=at).status_code == 204
    assert demo.get(f"{base}/c", headers=at).status_code == 204
    assert demo.delete(f"{base}/a", headers=at).status_code == 204
    assert demo.get(f"{base}/a", headers=at).status_code == 404
    assert demo.get(base, headers=at).json() == {"tags": ["b", "c"]}
    assert demo.delete(base, headers=at).status_code == 204
    assert demo.get(base, headers=at).json() == {"tags": []}


def test_console_output_length_gives_exactly_that_many_lines(demo, active_server):
    response = demo.post(f"/compute/v2.1/servers/{active_server['id']}/action",
                         json={"os-getConsoleOutput": {"length": 2}})
    assert response.status_code == 200
    assert len(response.json()["output"].split("\n")) == 2


def test_an_unknown_action_on_a_missing_server_is_404(demo):
    response = demo.post("/compute/v2.1/servers/00000000-0000-0000-0000-000000000000/action",
                         json={"forceDelete": None})
    assert response.status_code == 404
