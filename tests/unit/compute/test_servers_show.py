"""GET/PUT/DELETE /servers/{id}: shapes per microversion, tenancy, and the finaliser."""

from __future__ import annotations

from pocketstack.db.models.compute import Server
from tests.unit.compute.server_helpers import boot, mv, show, wait_for

VERSIONED = {"locked": "2.9", "description": "2.19", "tags": "2.26",
             "trusted_image_certificates": "2.63", "server_groups": "2.71",
             "locked_reason": "2.73"}


def previous(version: str) -> str:
    major, minor = version.split(".")
    return f"{major}.{int(minor) - 1}"


def test_fields_appear_at_their_microversion(demo, active_server):
    server_id = active_server["id"]
    for field, since in VERSIONED.items():
        assert field not in show(demo, server_id, previous(since)).json()["server"], field
        assert field in show(demo, server_id, since).json()["server"], field
    assert "locked" not in active_server
    assert "OS-EXT-SRV-ATTR:host" not in active_server


def test_embedded_flavor_from_2_47(demo, active_server):
    old = show(demo, active_server["id"], "2.46").json()["server"]["flavor"]
    assert set(old) == {"id", "links"}
    new = show(demo, active_server["id"], "2.47").json()["server"]["flavor"]
    assert new == {"vcpus": 1, "ram": 512, "disk": 1, "ephemeral": 0, "swap": 0,
                   "original_name": "m1.tiny", "extra_specs": {}}


def test_admin_sees_extended_attributes(admin, active_server):
    at_2_1 = show(admin, active_server["id"], "2.1").json()["server"]
    assert at_2_1["OS-EXT-SRV-ATTR:host"]
    assert "OS-EXT-SRV-ATTR:hostname" not in at_2_1
    at_2_3 = show(admin, active_server["id"], "2.3").json()["server"]
    assert at_2_3["OS-EXT-SRV-ATTR:hostname"] == "php"
    assert at_2_3["OS-EXT-SRV-ATTR:reservation_id"].startswith("r-")
    assert show(admin, active_server["id"], "2.16").json()["server"]["host_status"] == "UP"


def test_members_cannot_see_other_projects(admin, demo, image_id):
    theirs = boot(admin, image_id, name="adminbox")["server"]["id"]
    answer = show(demo, theirs)
    assert answer.status_code == 404
    assert answer.json()["itemNotFound"]["message"] == f"Instance {theirs} could not be found."
    assert demo.delete(f"/compute/v2.1/servers/{theirs}").status_code == 404
    assert demo.get("/compute/v2.1/servers?all_tenants=1").status_code == 403


def test_admin_all_tenants(admin, demo, image_id, deployment):
    mine = boot(demo, image_id, name="mine")["server"]["id"]
    boot(admin, image_id, name="adminbox")
    own = admin.get("/compute/v2.1/servers").json()["servers"]
    assert [server["name"] for server in own] == ["adminbox"]
    every = admin.get("/compute/v2.1/servers?all_tenants=1").json()["servers"]
    assert {server["name"] for server in every} == {"mine", "adminbox"}
    demo_project = deployment.accounts["demo"].project_id
    scoped = admin.get(f"/compute/v2.1/servers?all_tenants=1&tenant_id={demo_project}")
    assert [server["id"] for server in scoped.json()["servers"]] == [mine]
    assert show(admin, mine).status_code == 200


def test_update_name_and_description(demo, active_server):
    server_id = active_server["id"]
    body = {"server": {"name": "primary", "description": "db"}}
    answer = demo.put(f"/compute/v2.1/servers/{server_id}", json=body, headers=mv("2.19"))
    assert answer.status_code == 200, answer.text
    updated = answer.json()["server"]
    assert updated["name"] == "primary" and updated["description"] == "db"
    assert "OS-EXT-STS:vm_state" not in updated
    assert "OS-EXT-IPS:type" not in next(iter(updated["addresses"].values()))[0]
    full = demo.put(f"/compute/v2.1/servers/{server_id}", json={"server": {}},
                    headers=mv("2.75")).json()["server"]
    assert full["OS-EXT-STS:vm_state"] == "active" and full["server_groups"] == []
    bad = demo.put(f"/compute/v2.1/servers/{server_id}", json={"server": {"name": " x"}})
    assert bad.status_code == 400
    refused = demo.put(f"/compute/v2.1/servers/{server_id}",
                       json={"server": {"description": "x"}}, headers=mv("2.18"))
    assert refused.status_code == 400


def test_delete_removes_the_instance_and_row(demo, active_server, deployment):
    server_id = active_server["id"]
    driver = deployment.cloud.compute_driver
    assert server_id in driver.list_instances()
    assert demo.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    wait_for(demo, server_id, "GONE")
    assert server_id not in driver.list_instances()
    with deployment.cloud.db.session() as session:
        assert session.get(Server, server_id) is None
    ports = demo.get(f"/network/v2.0/ports?device_id={server_id}").json()["ports"]
    assert ports == []


def test_spawn_failure_shows_a_fault(demo, image_id, deployment, admin):
    deployment.cloud.compute_driver.fail_spawn_matching("^doomed")
    server_id = boot(demo, image_id, name="doomed-1")["server"]["id"]
    shown = wait_for(demo, server_id, "ERROR")
    fault = shown["fault"]
    assert fault["code"] == 500
    assert "Injected spawn failure" in fault["message"]
    assert fault["created"].endswith("Z")
    assert "details" not in fault
    assert "details" in show(admin, server_id).json()["server"]["fault"]
    assert demo.delete(f"/compute/v2.1/servers/{server_id}").status_code == 204
    wait_for(demo, server_id, "GONE")


def test_addresses_endpoints(demo, active_server):
    server_id = active_server["id"]
    addresses = demo.get(f"/compute/v2.1/servers/{server_id}/ips").json()["addresses"]
    [(label, entries)] = addresses.items()
    assert set(entries[0]) == {"addr", "version"}
    one = demo.get(f"/compute/v2.1/servers/{server_id}/ips/{label}").json()
    assert one == {label: entries}
    assert demo.get(f"/compute/v2.1/servers/{server_id}/ips/nowhere").status_code == 404
    groups = demo.get(f"/compute/v2.1/servers/{server_id}/os-security-groups").json()
    assert [group["name"] for group in groups["security_groups"]] == ["default"]
