"""Interactive consoles: console URLs per microversion, one-time tokens, the websocket.

The fake driver has no interactive console (409). A test driver adds one whose "shell"
echoes what is typed (prefixed with the instance id), ends on ``exit``, and records resizes.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from starlette.websockets import WebSocketDisconnect

from pocketstack.db.models.compute import ConsoleToken
from pocketstack.services.compute import consoles
from tests.unit.compute.server_helpers import action, boot, mv, wait_for

REMOTE = {"remote_console": {"protocol": "serial", "type": "serial"}}


class EchoConsole:
    """A ConsoleSession over a socketpair; a thread plays the shell."""

    def __init__(self, instance_id: str) -> None:
        self.ours, self.theirs = socket.socketpair()
        self.ours.setblocking(False)
        self.instance_id, self.sizes, self.closed = instance_id, [], False
        threading.Thread(target=self._shell, daemon=True).start()

    def _shell(self) -> None:
        with self.theirs:
            while (data := self.theirs.recv(4096)) and data != b"exit\n":
                self.theirs.sendall(f"{self.instance_id}:".encode() + data)

    def fileno(self) -> int:
        return self.ours.fileno()

    def read(self, size: int = 65536) -> bytes | None:
        try:
            return self.ours.recv(size)
        except BlockingIOError:
            return None

    def write(self, data: bytes) -> None:
        self.ours.sendall(data)

    def resize(self, rows: int, cols: int) -> None:
        self.sizes.append((rows, cols))

    def close(self) -> None:
        self.closed = True
        self.ours.close()


@pytest.fixture
def opened(deployment, monkeypatch) -> list[EchoConsole]:
    """Gives the fake driver a console; the list fills with the consoles it opens."""
    driver, sessions = deployment.cloud.compute_driver, []

    def open_console(instance_id, rows=24, cols=80):
        sessions.append(EchoConsole(instance_id))
        return sessions[-1]

    capabilities = dataclasses.replace(driver.capabilities, interactive_console=True)
    monkeypatch.setattr(driver, "capabilities", capabilities, raising=False)
    monkeypatch.setattr(driver, "open_console", open_console, raising=False)
    return sessions


def remote_console(api, server_id, body=REMOTE, version="2.6"):
    return api.post(f"/compute/v2.1/servers/{server_id}/remote-consoles", json=body,
                    headers=mv(version))


def token_of(url: str) -> str:
    return parse_qs(urlparse(url).query)["token"][0]


def socket_path(url: str) -> str:
    parsed = urlparse(url)
    assert parsed.scheme == "ws" and parsed.netloc == "127.0.0.1:18774"
    return f"{parsed.path}?{parsed.query}"


def test_fake_driver_refuses_with_a_clear_message(demo, active_server):
    answer = remote_console(demo, active_server["id"])
    assert answer.status_code == 409
    assert "no interactive console" in answer.json()["conflictingRequest"]["message"]
    assert "console log show" in answer.json()["conflictingRequest"]["message"]
    legacy = action(demo, active_server["id"], {"os-getSerialConsole": {"type": "serial"}})
    assert legacy.status_code == 409


def test_remote_console_shape_from_2_6(demo, active_server, opened):
    for version in ("2.6", "2.79"):
        answer = remote_console(demo, active_server["id"], version=version)
        assert answer.status_code == 200, answer.text
        console = answer.json()["remote_console"]
        assert set(console) == {"protocol", "type", "url"}
        assert (console["protocol"], console["type"]) == ("serial", "serial")
        assert urlparse(console["url"]).path == "/compute/console"
    novnc = {"remote_console": {"protocol": "vnc", "type": "novnc"}}
    assert remote_console(demo, active_server["id"], novnc).json()["remote_console"][
        "type"] == "novnc"
    assert remote_console(demo, active_server["id"], version="2.5").status_code == 404


def test_legacy_console_actions_before_2_6(demo, active_server, opened):
    server_id = active_server["id"]
    for name, kind in (("os-getSerialConsole", "serial"), ("os-getVNCConsole", "novnc")):
        answer = action(demo, server_id, {name: {"type": kind}})
        assert answer.status_code == 200, answer.text
        console = answer.json()["console"]
        assert set(console) == {"type", "url"} and console["type"] == kind
        assert console["url"].startswith("ws://127.0.0.1:18774/compute/console?token=")
        assert action(demo, server_id, {name: {"type": kind}}, version="2.6").status_code == 404
    assert action(demo, server_id, {"os-getSerialConsole": {}}).status_code == 400


@pytest.mark.parametrize("console", [
    {"protocol": "spice", "type": "spice-html5"}, {"protocol": "vnc", "type": "xvpvnc"},
    {"protocol": "vnc", "type": "serial"}, {"protocol": "telnet", "type": "serial"},
    {"protocol": "serial"}, {"protocol": "serial", "type": "serial", "extra": 1},
    {"protocol": 1, "type": "serial"},
])
def test_unsupported_console_types_are_bad_requests(demo, active_server, opened, console):
    answer = remote_console(demo, active_server["id"], {"remote_console": console})
    assert answer.status_code == 400, answer.text


def test_only_active_servers(demo, deployment, opened, image_id):
    deployment.agent.stop()
    building = boot(demo, image_id, name="slow")["server"]["id"]
    answer = remote_console(demo, building)
    assert answer.status_code == 409
    assert "is not ready: it is BUILD" in answer.json()["conflictingRequest"]["message"]
    assert remote_console(demo, "no-such-server").status_code == 404


def test_stopped_server_is_refused(demo, active_server, opened):
    server_id = active_server["id"]
    assert action(demo, server_id, {"os-stop": None}).status_code == 202
    wait_for(demo, server_id, "SHUTOFF")
    answer = remote_console(demo, server_id)
    assert answer.status_code == 409
    assert "it is SHUTOFF" in answer.json()["conflictingRequest"]["message"]


def test_tokens_are_stored_as_digests_and_expire(demo, active_server, opened, deployment):
    token = token_of(remote_console(demo, active_server["id"]).json()["remote_console"]["url"])
    with deployment.cloud.db.session() as session:
        row = session.get(ConsoleToken, consoles.digest(token))
        assert row is not None and row.server_id == active_server["id"]
        assert session.get(ConsoleToken, token) is None
        remaining = row.expires_at - consoles.utcnow()
        assert timedelta(minutes=9) < remaining <= consoles.TOKEN_TTL


def test_websocket_bridges_both_ways_and_resizes(client, demo, active_server, opened):
    url = remote_console(demo, active_server["id"]).json()["remote_console"]["url"]
    with client.websocket_connect(socket_path(url), subprotocols=["binary"]) as ws:
        assert ws.accepted_subprotocol == "binary"
        ws.send_text(json.dumps({"resize": {"rows": 40, "cols": 120}}))
        ws.send_text("not a control message")
        ws.send_bytes(b"hostname\n")
        assert ws.receive_bytes() == f"{active_server['id']}:hostname\n".encode()
        assert opened[0].sizes == [(40, 120)]
        ws.send_bytes(b"exit\n")
        with pytest.raises(WebSocketDisconnect) as ended:
            ws.receive_bytes()
        assert ended.value.code == 1000
    assert opened[0].closed


def test_closing_the_websocket_closes_the_console(client, demo, active_server, opened):
    url = remote_console(demo, active_server["id"]).json()["remote_console"]["url"]
    with client.websocket_connect(socket_path(url)) as ws:
        ws.send_bytes(b"x\n")
        assert ws.receive_bytes().endswith(b":x\n")
    deadline = threading.Event()
    for _ in range(100):
        if opened[0].closed:
            break
        deadline.wait(0.02)
    assert opened[0].closed


def refused(client, path: str) -> str:
    with client.websocket_connect(path) as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_bytes()
    assert closed.value.code == 1008
    return closed.value.reason


def test_bad_used_and_expired_tokens_are_refused(client, demo, active_server, opened,
                                                 deployment):
    assert "invalid" in refused(client, "/compute/console?token=nonsense")
    assert "invalid" in refused(client, "/compute/console")
    url = remote_console(demo, active_server["id"]).json()["remote_console"]["url"]
    with client.websocket_connect(socket_path(url)) as ws:
        ws.send_bytes(b"once\n")
        ws.receive_bytes()
    assert "used" in refused(client, socket_path(url))
    url = remote_console(demo, active_server["id"]).json()["remote_console"]["url"]
    with deployment.cloud.db.session() as session:
        row = session.get(ConsoleToken, consoles.digest(token_of(url)))
        row.expires_at = consoles.utcnow() - timedelta(seconds=1)
    assert "expired" in refused(client, socket_path(url))
    assert len(opened) == 1


def test_a_token_opens_only_its_own_server(client, demo, image_id, opened, deployment):
    first = wait_for(demo, boot(demo, image_id, name="a")["server"]["id"], "ACTIVE")["id"]
    second = wait_for(demo, boot(demo, image_id, name="b")["server"]["id"], "ACTIVE")["id"]
    url = remote_console(demo, second).json()["remote_console"]["url"]
    with client.websocket_connect(socket_path(url)) as ws:
        ws.send_bytes(b"who\n")
        assert ws.receive_bytes() == f"{second}:who\n".encode()
    assert [session.instance_id for session in opened] == [second]
    url = remote_console(demo, first).json()["remote_console"]["url"]
    assert demo.delete(f"/compute/v2.1/servers/{first}").status_code == 204
    wait_for(demo, first, "GONE")
    assert "invalid" in refused(client, socket_path(url))
    assert [session.instance_id for session in opened] == [second]


def test_token_of_a_server_stopped_since_is_refused(client, demo, active_server, opened):
    url = remote_console(demo, active_server["id"]).json()["remote_console"]["url"]
    assert action(demo, active_server["id"], {"os-stop": None}).status_code == 202
    wait_for(demo, active_server["id"], "SHUTOFF")
    assert "SHUTOFF" in refused(client, socket_path(url))
    assert opened == []


def test_an_admin_may_open_any_projects_console(admin, active_server, opened):
    assert remote_console(admin, active_server["id"]).status_code == 200


def test_parse_resize():
    from pocketstack.api.compute.console import parse_resize

    assert parse_resize('{"resize": {"rows": 30, "cols": 100}}') == (30, 100)
    for text in ('{"resize": {"rows": 0, "cols": 100}}', '{"resize": {"rows": "3"}}',
                 "[1]", "{", '{"resize": {"rows": true, "cols": 5}}'):
        assert parse_resize(text) is None
