"""A real ``pocketstack up --driver namespace`` subprocess inside a test "host" network
namespace, an HTTP client for it that survives kills, and what the kernel holds of a
prefix (to compare with what the database names).

The subprocess enters the host namespace with ``nsenter --net`` (not ``ip netns exec``:
that one also gives the process a private mount namespace, so the namespaces the cloud
names under ``/run/netns`` would vanish with the process, which is not how ``up`` runs
on a real host). Clients run in the host namespace too (``netns.call``): 127.0.0.1 there
is that namespace's own loopback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from pocketstack.drivers.compute import inventory
from pocketstack.host import cgroups, links, mounts, names, netns, nft

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

    def __init__(self, prefix: str, host: str, data_dir: Path, port: int, log: Path) -> None:
        self.prefix, self.host, self.data_dir, self.port, self.log = (
            prefix, host, data_dir, port, log)
        self.process: subprocess.Popen | None = None
        self.base = f"http://127.0.0.1:{port}"

    def command(self, *args: str) -> list[str]:
        return ["nsenter", f"--net=/run/netns/{self.host}", "--", POCKETSTACK, *args]

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command("up", "--driver", "namespace", "--prefix", self.prefix,
                             "--data-dir", str(self.data_dir), "--listen",
                             f"127.0.0.1:{self.port}"),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds until the state file names our pid (written once the API answers)."""
        start = time.monotonic()
        state = self.data_dir / "pocketstack.json"
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
    finally:
        up.kill()
        cleanup(prefix, host, root)


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


# what the database names, what the kernel holds


def desired(data_dir: Path) -> dict:
    """Ids the database names (read-only, next to the running process)."""
    with sqlite3.connect(f"file:{data_dir / 'pocketstack.db'}?mode=ro", uri=True,
                         timeout=30) as db:
        def ids(sql: str) -> set[str]:
            return {row[0] for row in db.execute(sql)}
        return {
            "servers": ids("select id from servers"),
            "networks": ids("select id from networks"),
            "routers": ids("select id from routers"),
            "host_ports": ids("select id from ports where device_owner like 'compute:%' "
                              "or device_owner like 'network:router_%'"),
            "router_legs": {r: ids(f"select id from ports where device_id = '{r}' and "
                                   "device_owner like 'network:router_%'")
                            for r in ids("select id from routers")},
            "pending": {table: found for table, found in (
                ("servers", ids("select id from servers where task_state is not null or "
                                "vm_state != 'active'")),
                *((table, ids(f"select id from {table} where deleting or "
                              "generation != applied_generation"))
                  for table in ("networks", "routers", "floating_ips")),
                ("ports", ids("select id from ports where device_owner not like 'network:%' "
                              "and (deleting or generation != applied_generation)")),
            ) if found},
        }


def expected_kernel(prefix: str, want: dict) -> dict:
    def kn(kind: str, ids) -> list[str]:
        return sorted(names.kernel_name(prefix, kind, i) for i in ids)

    return {
        "instance_ns": kn("instance_ns", want["servers"]),
        "router_ns": kn("router_ns", want["routers"]),
        "cgroups": kn("cgroup", want["servers"]),
        "bridges": kn("bridge", want["networks"]),
        "ports": kn("port", want["host_ports"]),
        "router_legs": {names.kernel_name(prefix, "router_ns", r): kn("peer", legs)
                        for r, legs in want["router_legs"].items()},
        "tables": sorted([names.kernel_name(prefix, "table", t) for t in
                          ("secgroups", "guard")]),
        "router_tables": {names.kernel_name(prefix, "router_ns", r):
                          [names.kernel_name(prefix, "table", r)] for r in want["routers"]},
        "instance_dirs": sorted(want["servers"]),
        "launchers": sorted(want["servers"]),
        "inits": sorted(want["servers"]),
        "overlays": sorted(want["servers"]),
    }


def kernel(prefix: str, data_dir: Path) -> dict:
    """What the kernel holds of ``prefix``; call inside the host namespace."""
    instances = str(data_dir / "instances")
    routers = netns.list_names(prefix, "router_ns")
    return {
        "instance_ns": netns.list_names(prefix, "instance_ns"),
        "router_ns": routers,
        "cgroups": cgroups.list_names(prefix),
        "bridges": links.list_links(prefix, kind="bridge"),
        "ports": links.list_links(prefix, kind="port"),
        "router_legs": {r: links.list_links(prefix, r, "peer") for r in routers},
        "tables": sorted({name for _, name in nft.list_tables(prefix)}),
        "router_tables": {r: sorted({n for _, n in nft.list_tables(prefix, r)})
                          for r in routers},
        "instance_dirs": sorted(inventory.instance_dirs(instances)),
        "launchers": sorted(inventory.launcher_pids(instances).values()),
        "inits": sorted(init_processes(instances)),
        "overlays": sorted(overlay_owners(instances)),
    }


def init_processes(instances_dir: str) -> list[str]:
    """Instance ids of every instance init (PID 1 of its own pid namespace)."""
    marker = instances_dir + "/"
    found = []
    for pid in _pids():
        argv = _cmdline(pid)
        if b"pocketstack.host.init" in argv and _status_field(pid, "NSpid").count("\t") > 1:
            found += [a[len(marker):].split("/")[0] for a in argv.decode().split("\0")
                      if a.startswith(marker) and a.endswith("/config.json")]
    return found


def overlay_owners(instances_dir: str) -> list[str]:
    """Per mount namespace on the machine, the instance whose root overlay it mounts."""
    seen, owners = set(), []
    pattern = re.compile(re.escape(instances_dir) + r"/([^/]+)/upper[,\s]")
    for pid in _pids():
        try:
            mnt = os.readlink(f"/proc/{pid}/ns/mnt")
            if mnt in seen:
                continue
            with open(f"/proc/{pid}/mountinfo") as handle:
                text = handle.read()
        except OSError:
            continue
        seen.add(mnt)
        owners += sorted({m.group(1) for m in pattern.finditer(text)})
    return owners


def processes_mentioning(text: str) -> list[int]:
    return [pid for pid in _pids() if text.encode() in _cmdline(pid)]


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""


def _status_field(pid: int, field: str) -> str:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return line.rstrip("\n")
    except OSError:
        pass
    return ""
