"""The cloud the browser tests drive: a real ``pocketstack up`` process.

As root with the namespace tools: ``--driver namespace`` inside a test host network
namespace (``tests/integration/flow/helpers.RealCloud``), so instances really run and
their consoles are shells; a ``socat`` forwarder makes its 127.0.0.1:PORT reachable from
this namespace (where Chromium and the stock clients run) on the same address, so the
URLs the cloud hands out (catalog, console websocket, openrc) work unchanged.
Otherwise, or with POCKETSTACK_BROWSER_DRIVER=fake: ``--driver fake`` (servers are
records, no interactive console).
Everything is stopped by PID and removed afterwards, even when a test failed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
from pathlib import Path

from pocketstack.host import names
from pocketstack.host.proc import netns_path
from pocketstack.wiring import namespace_available
from tests.compat.cloud import CloudProcess
from tests.harness.cloud_process import VENV_BIN, client_env
from tests.integration.flow.helpers import RealCloud

PORT = 18851  # the namespace cloud's port (this helper's range is 18850-18859)


def wait_listening(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Forwarder:
    """127.0.0.1:port here → 127.0.0.1:port inside network namespace ``netns``."""

    def __init__(self, netns: str, port: int) -> None:
        inner = f"nsenter --net={netns_path(netns)} socat STDIO TCP\\:127.0.0.1\\:{port}"
        self.process = subprocess.Popen(
            ["socat", f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", f"EXEC:{inner}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_listening(port)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)


class BrowserCloud:
    """``url`` of the API, ``password`` of user demo, ``real`` when instances really run."""

    def __init__(self) -> None:
        self.real = (os.environ.get("POCKETSTACK_BROWSER_DRIVER") != "fake"
                     and os.geteuid() == 0 and namespace_available()
                     and bool(shutil.which("socat")))
        self._cloud = None
        self._forwarder = None

    def start(self) -> None:
        if self.real:
            prefix = "db" + "".join(random.choices(string.ascii_lowercase, k=4))
            host = names.kernel_name(prefix, "host_ns", "dbhost")
            self._cloud = RealCloud(prefix, host, Path(f"/tmp/db-browser-{prefix}"), PORT)
            self._cloud.start()
            self._forwarder = Forwarder(host, PORT)
            self.data_dir, self.port = self._cloud.data_dir, PORT
        else:
            self._cloud = CloudProcess(Path(tempfile.mkdtemp(prefix="db-browser-")))
            self._cloud.start()
            self.data_dir, self.port = self._cloud.data_dir, self._cloud.port
        self.url = f"http://127.0.0.1:{self.port}"
        self.password = (self.data_dir / "demo-password").read_text().strip()

    @property
    def driver(self) -> str:
        return "namespace" if self.real else "fake"

    def demo_env(self) -> dict[str, str]:
        """The environment of ``openrc.demo``: for checks made beside the browser."""
        return client_env(self.data_dir, home=str(self.data_dir))

    def openstack(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run([str(VENV_BIN / "openstack"), *args], env=env or self.demo_env(),
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"openstack {' '.join(args)}:\n{result.stderr}"
        return result.stdout

    def wait_ssh(self, key: Path, address: str, timeout: float = 60) -> str:
        """``hostname`` of the instance at ``address`` over ssh with ``key`` (real clouds)."""
        assert self.real, "only the namespace driver runs sshd"
        key.chmod(0o600)
        return self._cloud.wait_ssh(key, address, timeout)

    def log_tail(self, lines: int = 60) -> str:
        return self._cloud.log_tail(lines)

    def stop(self) -> None:
        try:
            if self._forwarder is not None:
                self._forwarder.stop()
        finally:
            if self._cloud is not None:
                self._cloud.close()
                if self.real:
                    self._cloud.log.unlink(missing_ok=True)
                else:
                    shutil.rmtree(self._cloud.root, ignore_errors=True)
