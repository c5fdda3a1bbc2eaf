"""A real ``pocketstack up --driver namespace`` subprocess inside a test "host" network
namespace (or the split shape: ``up --no-agent`` plus a ``pocketstack agent``), an HTTP
client for it that survives kills, and a thread that kills it at random moments. What the
database names and what the kernel holds are compared in ``invariants``.

The subprocess enters the host namespace with ``nsenter --net`` (not ``ip netns exec``:
that one also gives the process a private mount namespace, so the namespaces the cloud
names under ``/run/netns`` would vanish with the process, which is not how ``up`` runs
on a real host). Clients run in the host namespace too (``netns.call``): 127.0.0.1 there
is that namespace's own loopback.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from pocketstack.drivers.compute import inventory
from pocketstack.host import mounts, netns

VENV_BIN = Path(__file__).resolve().parents[3] / ".venv" / "bin"
POCKETSTACK = str(VENV_BIN / "pocketstack")
C, N = "/compute/v2.1", "/network/v2.0"
NOVA = {"OpenStack-API-Version": "compute 2.37", "X-OpenStack-Nova-API-Version": "2.37"}


def host_ns_name(prefix: str) -> str:
    """A host namespace carrying the prefix that ``purge`` of the prefix does not take
    (``names.parse`` refuses it), so it can still be inspected after the purge."""
    return f"{prefix}-host"


class Up:
    """One ``pocketstack up`` process at a time on one data dir, started in ``host``."""

    def __init__(self, prefix: str, host: str, data_dir: Path, port: int, log: Path,
                 args: tuple[str, ...] = ()) -> None:
        self.prefix, self.host, self.data_dir, self.port, self.log = (
            prefix, host, data_dir, port, log)
        self.args = args  # e.g. ("--no-agent",)
        self.process: subprocess.Popen | None = None
        self.base = f"http://127.0.0.1:{port}"

    def command(self, *args: str) -> list[str]:
        return ["nsenter", f"--net=/run/netns/{self.host}", "--", POCKETSTACK, *args]

    state_file = "pocketstack.json"  # names the pid once ready

    def arguments(self) -> list[str]:
        return ["up", "--driver", "namespace", "--prefix", self.prefix, "--data-dir",
                str(self.data_dir), "--listen", f"127.0.0.1:{self.port}", *self.args]

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(*self.arguments()),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds until the state file names our pid (written once the API answers)."""
        start = time.monotonic()
        state = self.data_dir / self.state_file
        while time.monotonic() - start < timeout:
            assert self.process.poll() is None, f"pocketstack exited: {self.tail()}"
            try:
                if json.loads(state.read_text())["pid"] == self.process.pid:
                    return time.monotonic() - start
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.02)
        raise TimeoutError(f"pocketstack not ready in {timeout} s: {self.tail()}")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process:
            self.process.wait()

    def stop(self, timeout: float = 20.0) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def purge(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command("purge", "--yes", "--prefix", self.prefix,
                                           "--data-dir", str(self.data_dir)),
                              check=False, capture_output=True, text=True, timeout=120)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def password(self, user: str) -> str:
        text = (self.data_dir / f"openrc.{user}").read_text()
        return re.search(r"OS_PASSWORD=['\"]?([^'\"\n]+)", text).group(1)


class AgentProcess(Up):
    """A ``pocketstack agent`` on the data dir of an ``up --no-agent`` (the split shape:
    the agent alone can die); ready once ``agent.json`` names its pid."""

    state_file = "agent.json"

    def arguments(self) -> list[str]:
        return ["agent", "--driver", "namespace", "--prefix", self.prefix, "--data-dir",
                str(self.data_dir), *self.args]


@contextmanager
def host_cloud(prefix: str, port: int):
    """A host namespace and an (unstarted) ``Up`` on ``/tmp/crash-<prefix>``; on exit,
    whatever happened, every process, mount and kernel object of the prefix goes."""
    host = host_ns_name(prefix)
    root = Path(f"/tmp/crash-{prefix}")
    root.mkdir(mode=0o700)
    netns.create(host)
    up = Up(prefix, host, root / "data", port, root / "up.log")
    try:
        yield up
    except BaseException:
        keep_logs(root, Path(f"/tmp/crash-{prefix}-logs"))
        raise
    finally:
        up.kill()
        cleanup(prefix, host, root)


def keep_logs(root: Path, where: Path) -> None:
    """Copy the processes' logs out of ``root`` (which the cleanup removes) to ``where``."""
    where.mkdir(exist_ok=True)
    for log in root.glob("*.log"):
        shutil.copy(log, where / log.name)
    print(f"logs of the failed run: {where}")


def cleanup(prefix: str, host: str, root: Path) -> None:
    from pocketstack.wiring import purge_host_objects

    for pid in inventory.launcher_pids(str(root / "data" / "instances")):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if netns.exists(host):
        netns.call(host, purge_host_objects, prefix)
    for point in sorted(mount_points_under(str(root)), reverse=True):
        mounts.unmount(point)
    netns.delete(host)
    shutil.rmtree(root, ignore_errors=True)


def mount_points_under(path: str) -> list[str]:
    with open("/proc/self/mountinfo") as handle:
        return [p for p in (line.split()[4] for line in handle) if p.startswith(path + "/")]


class Api:
    """HTTP to the cloud from inside the host namespace (call it there), retrying while
    the process is down. ``post`` returns None when the answer was lost in a kill (the
    request may or may not have been committed: look the resource up by name)."""

    def __init__(self, up: Up, user: str, project: str, deadline: float = 90.0) -> None:
        self.up, self.user, self.project, self.deadline = up, user, project, deadline
        self.token = ""
        self.project_id = ""
        self.retries = 0

    def login(self) -> None:
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": self.user, "domain": {"id": "default"},
            "password": self.up.password(self.user)}}},
            "scope": {"project": {"name": self.project, "domain": {"id": "default"}}}}}
        response = self._send("POST", "/identity/v3/auth/tokens", body, auth=False)
        assert response is not None and response.status_code == 201, response
        self.token = response.headers["X-Subject-Token"]
        self.project_id = response.json()["token"]["project"]["id"]

    def _send(self, method: str, path: str, body=None, auth: bool = True):
        """The response, or None when it was lost after the request may have been sent."""
        end = time.monotonic() + self.deadline
        while True:
            headers = {**NOVA, **({"X-Auth-Token": self.token} if auth else {})}
            try:
                response = httpx.request(method, self.up.base + path, json=body,
                                         headers=headers, timeout=15)
            except httpx.ConnectError:
                response = "retry"
            except httpx.TransportError:
                if method in ("POST", "PUT"):
                    return None
                response = "retry"
            if response != "retry" and response.status_code != 503:
                assert response.status_code < 500, f"{method} {path}: {response.text}"
                return response
            self.retries += 1
            assert time.monotonic() < end, f"{method} {path}: no answer in {self.deadline} s"
            time.sleep(0.05)

    def get(self, path: str):
        return self._send("GET", path)

    def post(self, path: str, body: dict):
        return self._send("POST", path, body)

    def put(self, path: str, body: dict):
        return self._send("PUT", path, body)

    def delete(self, path: str):
        return self._send("DELETE", path)


class Killer(threading.Thread):
    """SIGKILL ``target`` (an ``Up`` or ``AgentProcess``) ``kills`` times at random moments
    (a pause drawn from ``pause`` seconds after each restart) and start it again at once."""

    def __init__(self, target: Up, rng: random.Random, kills: int,
                 pause: tuple[float, float] = (0.3, 3.0)) -> None:
        super().__init__(daemon=True)
        self.target, self.rng, self.wanted, self.pause = target, rng, kills, pause
        self.kills, self.stop, self.error = 0, threading.Event(), None
        self.restart_times: list[float] = []

    def run(self) -> None:
        try:
            while self.kills < self.wanted and not self.stop.wait(self.rng.uniform(*self.pause)):
                self.target.kill()
                self.kills += 1
                self.target.start()
                self.restart_times.append(self.target.wait_ready())
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error

    def median_restart(self) -> float:
        times = sorted(self.restart_times)
        return times[len(times) // 2] if times else 0.0
