"""Servers with the stock CLIs: the legacy nova flow, the openstack flow, snapshots, consoles,
and a spawn failure the user can read."""

from __future__ import annotations

import pytest

from tests.compat.cloud import parse_table, wait_until

pytestmark = pytest.mark.compat


def nova_list(cloud, name: str) -> list[dict]:
    return parse_table(cloud.nova("list", "--name", name).stdout)


def test_nova_boot_poll_list_and_delete_the_legacy_way(cloud):
    cloud.nova("keypair-add", "k")
    image_id = cloud.base_image_id()

    booted = cloud.nova("boot", "--poll", "--flavor", "1", "--image", image_id,
                        "--key-name", "k", "php")
    fields = {row["Property"]: row["Value"] for row in parse_table(booted.stdout)}
    server_id = fields["id"]
    listed = nova_list(cloud, "php")

    assert [(row["ID"], row["Name"], row["Status"]) for row in listed] == [
        (server_id, "php", "ACTIVE")]
    assert listed[0]["Power State"] == "Running"
    assert "private=" in listed[0]["Networks"]

    deleted = cloud.nova("delete", server_id)
    assert "has been accepted" in deleted.stdout
    wait_until(lambda: nova_list(cloud, "php") == [], timeout=60, what="php to disappear")
    assert cloud.nova("show", server_id, check=False).returncode != 0


def test_two_servers_on_private_renamed_primary_and_secondary(cloud):
    first = cloud.create_server("mysql-1")
    second = cloud.create_server("mysql-2")
    cloud.openstack_text("server", "set", "--name", "primary", first["id"])
    cloud.openstack_text("server", "set", "--name", "secondary", second["id"])

    primary = cloud.openstack("server", "show", "primary")
    secondary = cloud.openstack("server", "show", "secondary")

    assert (first["status"], second["status"]) == ("ACTIVE", "ACTIVE")
    assert (primary["id"], secondary["id"]) == (first["id"], second["id"])
    assert list(primary["addresses"]) == ["private"]
    assert list(secondary["addresses"]) == ["private"]
    assert primary["addresses"] != secondary["addresses"]
    assert {s["Name"] for s in cloud.openstack("server", "list")} == {"primary", "secondary"}


def test_snapshot_of_a_server_boots_a_new_active_server(cloud):
    cloud.create_server("primary")
    snapshot = cloud.openstack("server", "image", "create", "--wait", "--name", "snap", "primary")
    image = cloud.openstack("image", "show", "snap")
    booted = cloud.create_server("php-from-snap", image="snap")

    assert snapshot["name"] == "snap"
    assert image["id"] == snapshot["id"] and image["status"] == "active"
    assert booted["status"] == "ACTIVE"
    assert cloud.openstack("server", "show", "php-from-snap")["image"].startswith("snap")


def test_console_log_show_prints_the_server_console(cloud):
    cloud.create_server("web1")

    output = cloud.openstack_text("console", "log", "show", "web1").stdout
    tail = cloud.openstack_text("console", "log", "show", "--lines", "1", "web1").stdout

    assert "web1" in output
    assert len(tail.strip().splitlines()) == 1
    assert tail.strip() == output.strip().splitlines()[-1]


def test_spawn_failure_leaves_the_server_in_error_with_a_fault(start_cloud):
    cloud = start_cloud(env={"POCKETSTACK_FAKE_FAIL_SPAWN": "^doomed"})
    image_id = cloud.base_image_id()

    failed = cloud.openstack_text(
        "server", "create", "--wait", "--flavor", "m1.tiny", "--image", image_id,
        "--network", "private", "doomed", check=False)
    shown = cloud.openstack("server", "show", "doomed")
    healthy = cloud.create_server("fine")

    assert failed.returncode != 0
    assert shown["status"] == "ERROR"
    assert shown["fault"]["message"]
    assert healthy["status"] == "ACTIVE"
