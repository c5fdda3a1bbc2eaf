"""``restore``/``forceDelete``: no server is ever soft-deleted here, so both are 409."""

from __future__ import annotations

from tests.unit.compute.server_helpers import action, show

MISSING = "00000000-0000-0000-0000-000000000000"


def test_restore_and_force_delete_need_a_soft_deleted_server(demo, active_server):
    server_id = active_server["id"]
    for verb in ("restore", "forceDelete"):
        answer = action(demo, server_id, {verb: None})
        assert answer.status_code == 409, answer.text
        assert answer.json()["conflictingRequest"]["message"] == (
            f"Cannot '{verb}' instance {server_id} while it is in vm_state active")
        assert action(demo, MISSING, {verb: None}).status_code == 404
    assert show(demo, server_id).json()["server"]["status"] == "ACTIVE"
