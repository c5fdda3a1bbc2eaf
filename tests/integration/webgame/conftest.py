"""Fixtures and helpers for the web game tests (examples/webgame): they need mariadb-server,
apache2 with mod_php and php-mysql installed on the host (scripts/test installs them),
since instances of the default image run the host's /usr."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from pocketstack.host.proc import netns_path
from tests.integration.cloud import namespace_cloud

TIER_PORT = 18890
TOOLS = ("mariadbd", "mariadb-install-db", "apache2", "php", "curl")


@pytest.fixture
def webgame_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None
               and not Path("/usr/sbin", tool).exists()]
    if missing or not Path("/usr/lib/apache2/modules/libphp8.2.so").exists():
        pytest.skip(f"needs mariadb-server, apache2, libapache2-mod-php, php-mysql, curl "
                    f"(missing: {', '.join(missing) or 'libphp8.2.so'}); run scripts/test")


@pytest.fixture
def tier_cloud(prefix, webgame_tools):
    """``(deployment, host namespace)`` of an in-process namespace cloud."""
    host = f"{prefix}-wghost"
    with namespace_cloud(prefix, Path(f"/tmp/webgame-{prefix}"), TIER_PORT, host) as pair:
        yield pair


def console(client, server_id: str) -> str:
    response = client.post(f"/compute/v2.1/servers/{server_id}/action",
                           json={"os-getConsoleOutput": {}})
    return response.json().get("output", "") if response.status_code == 200 else ""


def wait_console(client, server_id: str, line: str, timeout: float = 120) -> str:
    """The console log once it holds ``line``; fails early on a "webgame:" error line."""
    deadline = time.monotonic() + timeout
    while line not in (text := console(client, server_id)):
        failed = [row for row in text.splitlines()
                  if row.startswith("webgame:") and "ready" not in row]
        assert not failed and time.monotonic() < deadline, f"no {line!r}:\n{text}"
        time.sleep(0.3)
    return text


def curl(host_ns: str, *args: str, timeout: float = 15) -> subprocess.CompletedProcess:
    """``curl`` run in the test host namespace (where floating IPs are reachable)."""
    return subprocess.run(["nsenter", f"--net={netns_path(host_ns)}", "curl", "--silent",
                           "--show-error", "--max-time", "5", *args],
                          capture_output=True, text=True, timeout=timeout, check=False)
