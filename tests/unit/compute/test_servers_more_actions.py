"""os-resetState, injectNetworkInfo, add/removeSecurityGroup and os-server-password."""

from __future__ import annotations

from tests.unit.compute.server_helpers import action, show, wait_for


def test_reset_state_is_admin_only(demo, admin, active_server):
    server_id = active_server["id"]
    assert action(demo, server_id, {"os-resetState": {"state": "error"}}).status_code == 403
    assert action(admin, server_id, {"os-resetState": {"state": "bogus"}}).status_code == 400
    assert action(admin, server_id, {"os-resetState": {"state": "error"}}).status_code == 202
    assert show(demo, server_id).json()["server"]["status"] == "ERROR"
    errors = admin.get("/compute/v2.1/servers/detail?status=ERROR&all_tenants=1").json()
    assert [server["id"] for server in errors["servers"]] == [server_id]
    assert action(admin, server_id, {"os-resetState": {"state": "active"}}).status_code == 202
    wait_for(demo, server_id, "ACTIVE")


def test_inject_network_info(demo, admin, active_server):
    assert action(admin, active_server["id"], {"injectNetworkInfo": None}).status_code == 202
    assert action(demo, active_server["id"], {"injectNetworkInfo": None}).status_code == 403


def groups_of(api, server_id: str) -> list[str]:
    found = api.get(f"/compute/v2.1/servers/{server_id}/os-security-groups").json()
    return sorted(group["name"] for group in found["security_groups"])


def test_add_and_remove_security_groups(demo, active_server):
    server_id = active_server["id"]
    body = {"security_group": {"name": "web", "description": "80"}}
    assert demo.post("/network/v2.0/security-groups", json=body).status_code == 201
    assert groups_of(demo, server_id) == ["default"]
    assert action(demo, server_id, {"addSecurityGroup": {"name": "web"}}).status_code == 202
    assert groups_of(demo, server_id) == ["default", "web"]
    assert action(demo, server_id, {"addSecurityGroup": {"name": "web"}}).status_code == 400
    assert action(demo, server_id, {"addSecurityGroup": {"name": "nope"}}).status_code == 404
    for name in ("web", "default"):
        assert action(demo, server_id, {"removeSecurityGroup": {"name": name}}).status_code == 202
    assert groups_of(demo, server_id) == []
    assert action(demo, server_id, {"removeSecurityGroup": {"name": "web"}}).status_code == 400


def test_server_password_is_empty(demo, active_server):
    path = f"/compute/v2.1/servers/{active_server['id']}/os-server-password"
    assert demo.get(path).json() == {"password": ""}
    assert demo.delete(path).status_code == 204
    assert demo.get("/compute/v2.1/servers/0f1e2d3c-0000-4000-8000-000000000000/"
                    "os-server-password").status_code == 404
