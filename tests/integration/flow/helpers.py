"""A real ``pocketstack up --driver namespace`` process in a test "host" namespace
(``tests/harness/cloud_process.py``), driven by the stock ``openstack`` CLI and ``ssh``
run in that namespace. Clients only join the network namespace, so ``ip netns exec`` is
fine for them.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shlex
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

from tests.harness.cloud_process import SSH_OPTIONS, VENV_BIN, UpProcess, client_env


class RealCloud(UpProcess):
    """``pocketstack up`` in host namespace ``host_ns`` on ``port``, data in ``data_dir``;
    ``close()`` removes the deployment and the namespace."""

    def __init__(self, prefix: str, host_ns: str, data_dir: Path, port: int) -> None:
        super().__init__(data_dir, port, driver="namespace", prefix=prefix, host_ns=host_ns)
        self.env: dict[str, str] = {}

    def start(self, timeout: float = 60) -> float:
        took = super().start(timeout)
        self.env = client_env(self.data_dir)
        return took

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
