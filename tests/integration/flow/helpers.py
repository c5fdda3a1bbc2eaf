"""A real ``pocketstack up --driver namespace`` process in a test "host" namespace, driven
by the stock ``openstack`` CLI and ``ssh`` run in that namespace.

The cloud is started with ``nsenter --net=<host ns>``, not ``ip netns exec``: the latter
also gives the process a private mount namespace with a fresh ``/sys`` and a slave
``/run/netns``, so the namespaces pocketstack names there (routers, instances) would lose
their names in the host's mount table when it exits. Clients only join the network
namespace, so ``ip netns exec`` is fine for them.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import tarfile
import time
from pathlib import Path

from pocketstack.drivers.compute import inventory
from pocketstack.host import mounts, netns
from pocketstack.host.proc import netns_path

VENV_BIN = Path(__file__).resolve().parents[3] / ".venv" / "bin"
SSH_OPTIONS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR"]


def read_openrc(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            env[key] = value
    return env


class RealCloud:
    """``pocketstack up`` in host namespace ``host_ns`` on ``port``, data in ``data_dir``."""

    def __init__(self, prefix: str, host_ns: str, data_dir: Path, port: int) -> None:
        self.prefix, self.host_ns, self.data_dir, self.port = prefix, host_ns, data_dir, port
        self.process: subprocess.Popen | None = None
        self.log = data_dir.parent / f"{data_dir.name}.log"
        self.env: dict[str, str] = {}

    def start(self, timeout: float = 60) -> None:
        netns.create(self.host_ns)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                ["nsenter", f"--net={netns_path(self.host_ns)}", str(VENV_BIN / "pocketstack"),
                 "up", "--driver", "namespace", "--prefix", self.prefix, "--data-dir",
                 str(self.data_dir), "--listen", f"127.0.0.1:{self.port}"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while "is ready" not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pocketstack did not start:\n{self.log.read_text()}")
            time.sleep(0.05)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/root",
                    "LANG": "C.UTF-8", **read_openrc(self.data_dir / "openrc.demo")}

    def run(self, argv: list[str], timeout: float = 120, check: bool = True,
            input: str | None = None) -> subprocess.CompletedProcess:
        """Run ``argv`` in the host namespace with the demo credentials."""
        result = subprocess.run(["ip", "netns", "exec", self.host_ns, *argv], env=self.env,
                                capture_output=True, text=True, timeout=timeout, input=input,
                                check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{shlex.join(argv)} failed ({result.returncode}):\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def openstack(self, *args: str, timeout: float = 120) -> str:
        return self.run([str(VENV_BIN / "openstack"), *args], timeout=timeout).stdout

    def openstack_json(self, *args: str) -> dict | list:
        return json.loads(self.openstack(*args, "-f", "json"))

    def ssh(self, key: Path, address: str, command: str, check: bool = True,
            timeout: float = 30) -> subprocess.CompletedProcess:
        return self.run(["ssh", "-i", str(key), *SSH_OPTIONS, f"root@{address}", command],
                        check=check, timeout=timeout)

    def wait_ssh(self, key: Path, address: str, timeout: float = 30) -> str:
        """``hostname`` over ssh once it answers (a floating IP is applied asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.ssh(key, address, "hostname", check=False, timeout=10)
            if result.returncode == 0:
                return result.stdout.strip()
            if time.monotonic() > deadline:
                raise AssertionError(f"no ssh to {address}: {result.stderr}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the process, then purge every object of the prefix and the data dir."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for pid in inventory.launcher_pids(str(self.data_dir / "instances")):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if netns.exists(self.host_ns):
            subprocess.run(["nsenter", f"--net={netns_path(self.host_ns)}",
                            str(VENV_BIN / "pocketstack"), "purge", "--yes", "--prefix",
                            self.prefix, "--data-dir", str(self.data_dir)],
                           capture_output=True, check=False, timeout=120)
            netns.delete(self.host_ns)
        with open("/proc/self/mountinfo") as handle:
            points = [line.split()[4] for line in handle]
        for point in sorted((p for p in points if p.startswith(f"{self.data_dir}/")),
                            reverse=True):
            mounts.unmount(point)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def busybox_rootfs(path: Path) -> None:
    """A tiny root filesystem tarball: the host's busybox with the libraries it links
    (from ``ldd``), applet links, ``/etc/passwd`` and ``/etc/group``, mount points."""
    busybox = shutil.which("busybox")
    assert busybox, "needs busybox (apt-get install busybox)"
    libraries = subprocess.run(["ldd", busybox], capture_output=True, text=True,
                               check=False).stdout.split()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name in ("bin", "etc", "root", "tmp", "proc", "sys", "dev", "run", "var"):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o1777 if name == "tmp" else 0o755
            tar.addfile(info)
        tar.add(os.path.realpath(busybox), "bin/busybox")
        for applet in ("sh", "ls", "cat", "echo", "hostname", "ping", "sleep", "wc", "rm"):
            link = tarfile.TarInfo(f"bin/{applet}")
            link.type, link.linkname, link.mode = tarfile.SYMTYPE, "busybox", 0o777
            tar.addfile(link)
        for library in (word for word in libraries if word.startswith("/")):
            tar.add(os.path.realpath(library), library.lstrip("/"))
        for name, text in (("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
                           ("etc/group", "root:x:0:\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(text), 0o644
            tar.addfile(info, io.BytesIO(text.encode()))
    path.write_bytes(gzip.compress(raw.getvalue()))
