"""The installed Debian package on this machine, driven as an operator would: apt, the
config file, the command the systemd unit runs (with the unit's capability bounding
set, through ``setpriv``: systemd is not PID 1 here), and the stock ``openstack`` client.

Everything runs in a test "host" network namespace, ``apt`` included, so the package's
maintainer scripts see (and remove) the deployment's kernel objects there. ``leave_no_trace``
puts the machine back as it was, even after a failure.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

from pocketstack.host import cgroups, links, netns, nft
from pocketstack.host.proc import netns_path
from tests.harness.cloud_process import (
    SSH_OPTIONS,
    VENV_BIN,
    client_env,
    unmount_under,
    wait_ready,
)

UNIT = Path("/lib/systemd/system/pocketstack.service")
CONFIG_DIR = Path("/etc/pocketstack")
STATE_DIR = Path("/var/lib/pocketstack")
VENV = Path("/opt/venvs/pocketstack")
POLICY = Path("/usr/sbin/policy-rc.d")
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=300",
       "-o", "Dpkg::Options::=--force-confold"]


def unit_setting(name: str) -> str:
    """The value of ``name=`` in the installed unit (continuation lines joined)."""
    text = UNIT.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if line.startswith(f"{name}="):
            return " ".join(line.partition("=")[2].split())
    raise AssertionError(f"{UNIT} has no {name}=")


def bounding_set() -> str:
    """The unit's CapabilityBoundingSet= as ``setpriv --bounding-set`` wants it."""
    caps = unit_setting("CapabilityBoundingSet").lower().split()
    return "-all," + ",".join("+" + cap.removeprefix("cap_") for cap in caps)


class InstalledCloud:
    """The package's cloud: prefix ``prefix``, in host namespace ``host_ns``."""

    def __init__(self, prefix: str, host_ns: str, data_dir: Path, port: int) -> None:
        self.prefix, self.host_ns, self.data_dir, self.port = prefix, host_ns, data_dir, port
        self.log = data_dir.parent / "up.log"
        self.process: subprocess.Popen | None = None
        self.policy_made = False

    # the machine

    def prepare(self) -> None:
        """The host namespace and, where none exists, a policy-rc.d that keeps the
        package's unit from starting on a machine that runs systemd (with the default
        settings, in the root namespace)."""
        netns.create(self.host_ns)
        self.data_dir.parent.mkdir(mode=0o700, exist_ok=True)
        if not POLICY.exists():
            POLICY.write_text("#!/bin/sh\nexit 101\n")
            POLICY.chmod(0o755)
            self.policy_made = True

    def in_host(self, argv: list[str], timeout: float = 600, check: bool = True,
                env: dict | None = None) -> subprocess.CompletedProcess:
        """``argv`` in the host namespace (``nsenter``: the mount namespace stays ours)."""
        env = env or {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        result = subprocess.run(["nsenter", f"--net={netns_path(self.host_ns)}", *argv],
                                capture_output=True, text=True, timeout=timeout, env=env,
                                check=False, stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            raise AssertionError(f"{shlex.join(argv)} failed ({result.returncode}):\n"
                                 f"{result.stdout}\n{result.stderr}")
        return result

    def apt_install(self, deb: Path) -> str:
        return self.in_host([*APT, "install", str(deb.resolve())]).stdout

    def apt(self, action: str) -> str:
        return self.in_host([*APT, action, "pocketstack"]).stdout

    def configure(self, **settings: str) -> None:
        lines = [f'{key} = "{value}"' for key, value in settings.items()]
        (CONFIG_DIR / "pocketstack.toml").write_text("\n".join(lines) + "\n")

    # the cloud

    def start(self, timeout: float = 90) -> None:
        """What the unit runs (ExecStart, Environment), with its bounding set."""
        command = shlex.split(unit_setting("ExecStart"))
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
               **dict([unit_setting("Environment").split("=", 1)])}
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                ["nsenter", f"--net={netns_path(self.host_ns)}", "setpriv", "--inh-caps=-all",
                 f"--bounding-set={bounding_set()}", *command],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                cwd="/")
        wait_ready(self.process, self.log, offset, timeout)

    def logged(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.logged().splitlines()[-lines:])

    def wait_stopped(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    # the stock client

    def openstack(self, *args: str) -> str:
        return self.in_host([str(VENV_BIN / "openstack"), *args], timeout=180,
                            env=client_env(self.data_dir)).stdout

    def openstack_json(self, *args: str):
        return json.loads(self.openstack(*args, "-f", "json"))

    def wait_ping(self, address: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.in_host(["ping", "-c", "1", "-W", "1", address], check=False).returncode:
            assert time.monotonic() < deadline, f"{address} does not answer ping"

    def ssh(self, key: Path, address: str, command: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            result = self.in_host(["ssh", "-i", str(key), *SSH_OPTIONS, f"root@{address}",
                                   command], check=False, timeout=20)
            if result.returncode == 0:
                return result.stdout
            assert time.monotonic() < deadline, f"no ssh to {address}: {result.stderr}"
            time.sleep(0.2)

    # what is left

    def leftovers(self) -> list[str]:
        """Everything of the deployment still on the machine (empty: nothing)."""
        found = [str(path) for path in (STATE_DIR, self.data_dir, CONFIG_DIR, VENV,
                                        Path("/usr/bin/pocketstack"), UNIT) if path.exists()]
        found += [f"namespace {name}" for name in netns.list_names(self.prefix)]
        if netns.exists(self.host_ns):
            found += [f"link {name}" for name in links.list_links(self.prefix, self.host_ns)]
            found += [f"nft table {family} {name}"
                      for family, name in nft.list_tables(self.prefix, self.host_ns)]
        found += [f"cgroup {name}" for name in cgroups.list_names(self.prefix)]
        found += [f"process {pid}" for pid in processes_mentioning(str(self.data_dir))]
        if self.process is not None and self.process.poll() is None:
            found.append(f"process {self.process.pid} (pocketstack up)")
        return found

    def leave_no_trace(self) -> None:
        """Purge the package and remove whatever is still there; restore the machine."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if package_installed() and netns.exists(self.host_ns):
            self.in_host([*APT, "purge", "pocketstack"], check=False)
        for pid in processes_mentioning(str(self.data_dir)):
            _kill(pid)
        if netns.exists(self.host_ns):
            from pocketstack.wiring import purge_host_objects

            netns.call(self.host_ns, purge_host_objects, self.prefix)
            netns.delete(self.host_ns)
        unmount_under(self.data_dir.parent)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)
        shutil.rmtree(CONFIG_DIR, ignore_errors=True)
        if self.policy_made:
            POLICY.unlink(missing_ok=True)


def package_installed() -> bool:
    result = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", "pocketstack"],
                            capture_output=True, text=True, check=False)
    return result.returncode == 0 and result.stdout.strip() not in ("", "un")


def installed_version() -> str:
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}", "pocketstack"],
                          capture_output=True, text=True, check=True).stdout


def version_greater(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "gt", b], check=False).returncode == 0


def processes_mentioning(text: str) -> list[int]:
    """PIDs whose command line contains ``text`` (instance launchers name their dir)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                if text.encode() in handle.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
