"""The web game's tiers on real instances, without load balancer or scaling: a MariaDB
primary and replica configured by their user-data (examples/webgame), one PHP server; a
row written on the primary is read on the replica, and the game API answers through a
floating IP from the host namespace."""

from __future__ import annotations

import json
import time

import pytest

from pocketstack.demo import userdata
from tests.integration.isolation.conftest import N, api, boot, floating_ip, ok, wait_active

from .conftest import curl, wait_console

pytestmark = pytest.mark.root


def open_http(client) -> None:
    group = ok(client.get(f"{N}/security-groups?name=default"))["security_groups"][0]["id"]
    ok(client.post(f"{N}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group, "direction": "ingress", "ethertype": "IPv4",
        "protocol": "tcp", "port_range_min": 80, "port_range_max": 80,
        "remote_ip_prefix": "0.0.0.0/0"}}))


def address(client, server_id: str) -> str:
    server = wait_active(client, server_id)
    return server["addresses"]["private"][0]["addr"]


def call(host_ns: str, method: str, url: str, body: dict | None = None) -> tuple[int, dict]:
    args = ["-X", method, "-w", "\n%{http_code}", url]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
    result = curl(host_ns, *args)
    assert result.returncode == 0, result.stderr
    text, _, status = result.stdout.rpartition("\n")
    return int(status), json.loads(text)


def test_primary_replica_and_game_api(tier_cloud):
    deployment, host_ns = tier_cloud
    client = api(deployment, "demo", "demo")
    open_http(client)
    network = ok(client.get(f"{N}/networks?name=private"))["networks"][0]["id"]
    primary = boot(client, "db-primary", network, user_data=userdata.primary("gamepw", "replpw"))
    primary_ip = address(client, primary)
    replica = boot(client, "db-replica", network,
                   user_data=userdata.replica(primary_ip, "replpw"))
    replica_ip = address(client, replica)
    php = boot(client, "php", network,
               user_data=userdata.php(primary_ip, replica_ip, "gamepw"))
    wait_active(client, php)
    wait_console(client, primary, "webgame: primary ready")
    wait_console(client, replica, "webgame: replica ready")
    wait_console(client, php, "webgame: php ready")
    site = f"http://{floating_ip(client, php)}"

    status, made = call(host_ns, "POST", f"{site}/players", {"name": "ann"})
    assert status == 201 and made["player"]["name"] == "ann", made
    status, _ = call(host_ns, "POST", f"{site}/players", {"name": "ann"})
    assert status == 409
    for score in (42, 7):
        status, _ = call(host_ns, "POST", f"{site}/scores",
                         {"player_id": made["player"]["id"], "score": score})
        assert status == 201
    status, _ = call(host_ns, "POST", f"{site}/scores", {"player_id": 999, "score": 1})
    assert status == 404
    status, top = call(host_ns, "GET", f"{site}/top")
    assert (status, top) == (200, {"top": [{"name": "ann", "score": 42}]})

    deadline = time.monotonic() + 30
    while (counts := call(host_ns, "GET", f"{site}/replication")[1])["replica"] \
            != {"players": 1, "scores": 2}:
        assert time.monotonic() < deadline, counts
        time.sleep(0.2)
    assert counts["primary"] == counts["replica"]

    status_page = curl(host_ns, f"{site}/server-status").stdout
    assert "requests currently being processed" in status_page, status_page[:500]
