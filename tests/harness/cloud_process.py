"""A real ``pocketstack up`` process for tests and benchmarks: started (inside a test "host"
network namespace when given one), ready once its log says so, its openrc credentials
read, stopped by its PID, and everything it made removed afterwards, even after a failure.

The process enters the host namespace with ``nsenter --net``, not ``ip netns exec``: the
latter also gives it a private mount namespace with a fresh ``/sys`` and a slave
``/run/netns``, so the namespaces the cloud names there (routers, instances) would lose
their names in the host's mount table when it exits.

Used by ``tests/`` and by ``bench/`` (which puts the repository root on ``sys.path``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pocketstack.drivers.compute import inventory
from pocketstack.host import mounts, names, netns
from pocketstack.host.proc import netns_path, setns

VENV_BIN = Path(sys.executable).parent
READY_LINE = "pocketstack is ready"
SSH_OPTIONS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
               "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR"]


def read_openrc(path: Path) -> dict[str, str]:
    """The ``export NAME=value`` lines of an openrc file, unquoted, without a shell."""
    env = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            env[key] = value
    return env


def client_env(data_dir: Path, account: str = "demo", home: str = "/root") -> dict[str, str]:
    """A clean environment for a stock client: PATH, HOME, LANG and ``openrc.<account>``."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8",
            **read_openrc(data_dir / f"openrc.{account}")}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_log(log: Path, offset: int = 0) -> str:
    if not log.exists():
        return ""
    with log.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace")


def tail(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def wait_ready(process: subprocess.Popen, log: Path, offset: int = 0,
               timeout: float = 60.0) -> float:
    """Seconds until ``log`` holds the ready line after byte ``offset``. RuntimeError with
    the log's end when the process exits first or ``timeout`` passes."""
    start = time.monotonic()
    while READY_LINE not in read_log(log, offset):
        if process.poll() is not None:
            raise RuntimeError(f"pocketstack exited ({process.returncode}) before it was "
                               f"ready:\n{tail(read_log(log), 60)}")
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"pocketstack was not ready in {timeout:.0f} s:\n"
                               f"{tail(read_log(log), 60)}")
        time.sleep(0.05)
    return time.monotonic() - start


def unmount_under(directory: Path) -> None:
    """Unmount everything below ``directory``, deepest first."""
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4] for line in handle]
    for point in sorted((p for p in points if p.startswith(f"{directory}/")), reverse=True):
        mounts.unmount(point)


def kill_launchers(data_dir: Path) -> None:
    """SIGKILL the launchers of instances under ``data_dir`` (a cloud killed mid-run leaves
    them; their instances die with them)."""
    for pid in inventory.launcher_pids(str(data_dir / "instances")):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def remove_deployment(prefix: str | None, data_dir: Path, host_ns: str | None) -> None:
    """Everything a stopped deployment left: launchers, the kernel objects of ``prefix``
    (purged inside ``host_ns``, or in this thread's namespace), mounts under ``data_dir``,
    ``data_dir`` itself, then ``host_ns``. Without a prefix (the default one) nothing is
    purged: a real deployment on this host may use it."""
    from pocketstack.wiring import purge_host_objects

    kill_launchers(data_dir)
    if prefix and (host_ns is None or netns.exists(host_ns)):
        netns.call(host_ns, purge_host_objects, prefix)
    unmount_under(data_dir)
    if host_ns:
        netns.delete(host_ns)
    shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def joined_host_namespace(prefix: str, tag: str) -> Iterator[str]:
    """A new test host namespace of ``prefix`` that this thread (and the threads and
    processes it starts) joins; afterwards every namespace of the prefix is deleted. For
    scripts (the benchmarks): the thread stays in the deleted namespace."""
    host_ns = names.kernel_name(prefix, "host_ns", tag)
    netns.create(host_ns)
    try:
        setns(netns_path(host_ns))
        yield host_ns
    finally:
        for name in netns.list_names(prefix):
            if name != host_ns:
                netns.delete(name)
        netns.delete(host_ns)


class UpProcess:
    """One ``pocketstack up`` at a time on ``data_dir``, on 127.0.0.1:``port``, in network
    namespace ``host_ns`` (made when missing) if given, else in this one.

    ``stop`` ends the process only (a restart keeps the data); ``close`` also removes
    what the deployment made (see ``remove_deployment``) and ``host_ns``."""

    STOP_TIMEOUT = 30.0  # seconds from SIGTERM to SIGKILL

    def __init__(self, data_dir: Path, port: int, *, driver: str = "fake",
                 prefix: str | None = None, host_ns: str | None = None,
                 log: Path | None = None, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.data_dir, self.port, self.driver = data_dir, port, driver
        self.prefix, self.host_ns, self.args = prefix, host_ns, tuple(args)
        self.log = log or data_dir.parent / f"{data_dir.name}.log"
        self.process_env = env  # None: this process's environment
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None
        self.offset = 0

    def command(self, *args: str) -> list[str]:
        """``pocketstack ARGS``, entering the host namespace when there is one."""
        enter = ["nsenter", f"--net={netns_path(self.host_ns)}", "--"] if self.host_ns else []
        return [*enter, str(VENV_BIN / "pocketstack"), *args]

    def arguments(self) -> list[str]:
        prefix = ["--prefix", self.prefix] if self.prefix else []
        return ["up", "--driver", self.driver, *prefix, "--data-dir", str(self.data_dir),
                "--listen", f"127.0.0.1:{self.port}", *self.args]

    def launch(self) -> None:
        """Start the process (its output appended to ``log``); ``wait_ready`` waits."""
        if self.host_ns:
            netns.create(self.host_ns)
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(*self.arguments()), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=self.process_env)

    def wait_ready(self, timeout: float = 60.0) -> float:
        assert self.process is not None, "launch() first"
        return wait_ready(self.process, self.log, self.offset, timeout)

    def start(self, timeout: float = 60.0) -> float:
        """Launch and wait until ready (seconds taken); a process that is not ready is
        stopped before the error is raised."""
        self.launch()
        try:
            return self.wait_ready(timeout)
        except RuntimeError:
            self.stop()
            raise

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM by PID, SIGKILL after ``timeout`` s (``STOP_TIMEOUT``); nothing when it
        is not running."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout or self.STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait()

    def restart(self) -> None:
        """Stop and start again on the same data dir and port."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop, then remove everything of the deployment (the log stays)."""
        self.stop()
        self.kill()
        remove_deployment(self.prefix, self.data_dir, self.host_ns)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def log_text(self, offset: int = 0) -> str:
        return read_log(self.log, offset)

    def log_tail(self, lines: int = 60) -> str:
        return tail(self.log_text(), lines)

    def openrc(self, account: str = "demo") -> dict[str, str]:
        return read_openrc(self.data_dir / f"openrc.{account}")

    def password(self, user: str) -> str:
        return self.openrc(user)["OS_PASSWORD"]


@contextmanager
def started(cloud: UpProcess, log_lines: int = 40) -> Iterator[UpProcess]:
    """``cloud`` started; afterwards, also after a failure, closed, the end of its log
    printed (pytest shows it for a failed test) and the log removed."""
    try:
        cloud.start()
        yield cloud
    finally:
        try:
            cloud.close()
        finally:
            if cloud.log.exists():
                print(f"pocketstack log (last {log_lines} lines):\n"
                      + cloud.log_tail(log_lines))
                cloud.log.unlink()
