"""Interactive consoles on the namespace driver, end to end: the cloud (agent and a real
uvicorn listener on 127.0.0.1:18813) runs in a test "host" namespace; a console URL from
the API opens a login shell inside the instance over a websocket, and `pocketstack
console` does the same in a pseudo-terminal. Closing a console leaves no process behind.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from starlette.testclient import TestClient
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from pocketstack.host import instance, netns
from tests.harness.api import logged_in
from tests.integration.cloud import namespace_cloud

pytestmark = pytest.mark.root

PORT = 18813
C = "/compute/v2.1"
HEADERS = {"OpenStack-API-Version": "compute 2.37", "X-OpenStack-Nova-API-Version": "2.37"}
V26 = {"OpenStack-API-Version": "compute 2.6", "X-OpenStack-Nova-API-Version": "2.6"}
CLI = str(Path(sys.executable).parent / "pocketstack")


@pytest.fixture
def cloud(prefix):
    """(deployment, host namespace), the API served by uvicorn inside that namespace."""
    with namespace_cloud(prefix, Path(f"/tmp/con-{prefix}"), PORT) as (deployment, host):
        server = uvicorn.Server(uvicorn.Config(deployment.app, host="127.0.0.1", port=PORT,
                                               lifespan="off", log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        netns.call(host, thread.start)
        try:
            wait_until(lambda: server.started, 10)
            yield deployment, host
        finally:
            server.should_exit = True


def wait_until(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def login(deployment, user: str = "demo") -> TestClient:
    return logged_in(deployment, user)


def boot_active(demo, name: str) -> str:
    image = demo.get("/image/v2/images").json()["images"][0]["id"]
    body = {"server": {"name": name, "imageRef": image, "flavorRef": "1", "networks": "none"}}
    response = demo.post(f"{C}/servers", json=body, headers=HEADERS)
    assert response.status_code == 202, response.text
    server_id = response.json()["server"]["id"]
    wait_until(lambda: demo.get(f"{C}/servers/{server_id}", headers=HEADERS)
               .json()["server"]["status"] in ("ACTIVE", "ERROR"), 60)
    assert demo.get(f"{C}/servers/{server_id}").json()["server"]["status"] == "ACTIVE"
    return server_id


def console_url(demo, server_id: str) -> str:
    body = {"remote_console": {"protocol": "serial", "type": "serial"}}
    response = demo.post(f"{C}/servers/{server_id}/remote-consoles", json=body, headers=V26)
    assert response.status_code == 200, response.text
    url = response.json()["remote_console"]["url"]
    assert url.startswith(f"ws://127.0.0.1:{PORT}/compute/console?token=")
    return url


def read_until(ws, pattern: str, timeout: float = 15) -> re.Match:
    seen, deadline = "", time.monotonic() + timeout
    while (match := re.search(pattern, seen)) is None:
        seen += ws.recv(timeout=max(0.1, deadline - time.monotonic())).decode(errors="replace")
    return match


def test_console_through_the_api(cloud):
    deployment, host = cloud
    demo = login(deployment)
    server_id = boot_active(demo, "con-1")
    driver = deployment.cloud.compute_driver
    init = instance.init_pid(driver._dir(server_id))
    instance_pid_ns = os.readlink(f"/proc/{init}/ns/pid")
    before = set(_in_namespace(instance_pid_ns))  # the init and what it started (sshd)

    def first_console() -> tuple[list[int], str]:
        with connect(console_url(demo, server_id), subprotocols=["binary"]) as ws:
            ws.send('{"resize": {"rows": 33, "cols": 111}}')
            ws.send(b"echo h=$(hostname) s=$(stty size)\n")
            assert read_until(ws, r"h=(\S+) s=(\d+ \d+)\r\n").groups() == ("con-1", "33 111")
            ws.send(b"sleep 1000 & echo pid=$$ ns=$(readlink /proc/$$/ns/pid)\n")
            pid, ns = read_until(ws, r"pid=(\d+) ns=(\S+)\r\n").groups()
            assert ns == instance_pid_ns and int(pid) < 1000
            shells = [p for p in _in_namespace(instance_pid_ns) if p not in before]
            return shells, _cmdlines(shells)

    shells, cmdlines = netns.call(host, first_console)
    assert "sleep 1000" in cmdlines and "bash" in cmdlines
    wait_until(lambda: not [p for p in shells if os.path.exists(f"/proc/{p}")], 5)
    assert set(_in_namespace(instance_pid_ns)) == before
    assert instance.init_pid(driver._dir(server_id)) == init  # the instance runs on

    def console_ends_with_its_shell() -> int:
        with connect(console_url(demo, server_id)) as ws:
            ws.send(b"exit\n")
            with pytest.raises(ConnectionClosed):
                while True:
                    ws.recv(timeout=15)
            return ws.close_code

    assert netns.call(host, console_ends_with_its_shell) == 1000
    wait_until(lambda: set(_in_namespace(instance_pid_ns)) == before, 5)


def _in_namespace(pid_ns: str) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{entry}/ns/pid") == pid_ns:
                found.append(int(entry))
        except OSError:
            pass
    return found


def _cmdlines(pids: list[int]) -> str:
    lines = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                lines.append(handle.read().replace(b"\0", b" ").decode())
        except OSError:
            pass
    return "\n".join(lines)


def test_pocketstack_console_in_a_pseudo_terminal(cloud):
    deployment, host = cloud
    demo = login(deployment)
    boot_active(demo, "con-2")
    env = {"PATH": os.environ["PATH"], "OS_AUTH_URL": f"http://127.0.0.1:{PORT}/identity/v3",
           "OS_USERNAME": "demo", "OS_PASSWORD": deployment.accounts["demo"].password,
           "OS_PROJECT_NAME": "demo", "OS_USER_DOMAIN_NAME": "Default",
           "OS_PROJECT_DOMAIN_NAME": "Default"}
    missing = subprocess.run(["ip", "netns", "exec", host, CLI, "console", "nosuch"], env=env,
                             capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode == 1 and "No server with a name or ID of 'nosuch'" in \
        missing.stderr
    master, slave = os.openpty()
    process = subprocess.Popen(["ip", "netns", "exec", host, CLI, "console", "con-2"],
                               stdin=slave, stdout=slave, stderr=slave, env=env,
                               start_new_session=True)
    os.close(slave)
    try:
        assert "Press Ctrl-] to leave" in _read_pty(master, r"Ctrl-\] to leave")
        os.write(master, b"echo h=$(hostname)\r")
        assert "h=con-2\r\n" in _read_pty(master, r"h=con-2\r\n")
        os.write(master, b"\x1d")
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)


def _read_pty(fd: int, pattern: str, timeout: float = 30) -> str:
    seen, deadline = b"", time.monotonic() + timeout
    while not re.search(pattern, seen.decode(errors="replace")):
        assert time.monotonic() < deadline, seen
        if select.select([fd], [], [], 0.2)[0]:
            seen += os.read(fd, 4096)
    return seen.decode(errors="replace")
