"""`pocketstack scaling` against a real `pocketstack up --driver fake`, beside the stock
clients: the group's servers are ordinary servers to `openstack` and `nova`."""

from __future__ import annotations

import json

import pytest

from tests.compat.cloud import parse_table, wait_until

pytestmark = pytest.mark.compat


def scaling(cloud, *args: str, check: bool = True):
    return cloud.run("pocketstack", "scaling", "group", *args, check=check)


def scaling_json(cloud, *args: str):
    return json.loads(scaling(cloud, *args, "-f", "json").stdout)


def group_servers(cloud) -> list[dict]:
    return [s for s in cloud.openstack("server", "list") if s["Name"].startswith("php-")]


def test_a_group_through_the_cli_and_the_stock_clients(cloud):
    created = scaling_json(cloud, "create", "php", "--image", "base", "--flavor", "m1.tiny",
                           "--network", "private", "--min", "2", "--max", "4",
                           "--metric", "cpu", "--target", "50", "--scale-in-cooldown", "600")
    assert created["name"] == "php" and created["desired_size"] == 2
    wait_until(lambda: scaling_json(cloud, "show", "php")["current_size"] == 2, timeout=30,
               what="two servers in service")
    listed = parse_table(scaling(cloud, "list").stdout)
    assert [(row["Name"], row["Status"], row["Current Size"]) for row in listed] == \
        [("php", "ACTIVE", "2")]
    servers = wait_until(lambda: len(group_servers(cloud)) == 2 and group_servers(cloud),
                         timeout=30, what="openstack server list shows both")
    assert all(s["Status"] == "ACTIVE" and len(s["Name"]) == 10 for s in servers)

    scaling(cloud, "resize", "php", "3")
    wait_until(lambda: len(group_servers(cloud)) == 3, timeout=30, what="a third server")
    events = scaling_json(cloud, "events", "php")
    assert events[0]["action"] in ("server_create", "scale_out")
    assert any(e["reason"] == "resized by hand by demo" for e in events)
    table = parse_table(scaling(cloud, "events", "php").stdout)
    assert {"Action", "Reason"} <= set(table[0])

    scaling(cloud, "set", "php", "--max", "3", "--min", "1")
    assert scaling_json(cloud, "show", "php")["max_size"] == 3
    refused = scaling(cloud, "resize", "php", "9", check=False)
    assert refused.returncode != 0 and "max_size" in refused.stderr

    # Names stay unique, so `nova delete NAME` works; the group replaces the server.
    name = group_servers(cloud)[0]["Name"]
    cloud.nova("delete", name)
    wait_until(lambda: (names := [s["Name"] for s in group_servers(cloud)])
               and name not in names and len(names) == 3, timeout=30, what="a replacement")

    scaling(cloud, "delete", "php")
    wait_until(lambda: not group_servers(cloud), timeout=60, what="the servers to go")
    assert parse_table(scaling(cloud, "list").stdout) == []


def test_bad_input_says_what_to_fix(cloud):
    result = scaling(cloud, "create", "php", "--image", "base", "--flavor", "m1.tiny",
                     "--min", "3", "--max", "2", check=False)
    assert result.returncode != 0 and "must not exceed" in result.stderr
    missing = scaling(cloud, "show", "nosuch", check=False)
    assert missing.returncode != 0 and "scaling group list" in missing.stderr
