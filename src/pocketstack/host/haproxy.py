"""HAProxy processes: one master-worker HAProxy per run dir, started inside a network
namespace, reloaded without dropping established connections, read through its stats
socket, stopped by PID.

A run dir holds ``haproxy.cfg`` (written by the caller, with the stats socket at
``stats_socket(run_dir)``), ``haproxy.pid`` (the master's PID, written by HAProxy),
``master`` (``"<pid> <start time>"``: ours, so a reused PID is never mistaken for it),
``master.sock`` (the master CLI) and ``stats.sock``. The master runs in its own session
(``-D``) so a restart of pocketstack leaves it serving; on restart ``master_pid`` finds it
again. A reload is SIGUSR2 to the master: it re-reads the file and starts a new worker
that takes the listening sockets over (``expose-fd listeners``), while the old worker
finishes the connections it has.

Stdlib only, like the rest of host/.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import time

from pocketstack.host.proc import HostError, run

BINARY = "haproxy"
START_TIMEOUT = 5.0
RELOAD_TIMEOUT = 5.0
STOP_TIMEOUT = 3.0


def available() -> bool:
    return shutil.which(BINARY) is not None


def config_path(run_dir: str) -> str:
    return os.path.join(run_dir, "haproxy.cfg")


def stats_socket(run_dir: str) -> str:
    return os.path.join(run_dir, "stats.sock")


def _master_socket(run_dir: str) -> str:
    return os.path.join(run_dir, "master.sock")


def _record(run_dir: str) -> str:
    return os.path.join(run_dir, "master")


def check(path: str) -> None:
    """Raise HostError with HAProxy's own words when the configuration at ``path`` is bad
    (``start`` checks by itself: this is for a reload, which must not fail half-way)."""
    result = run([BINARY, "-c", "-q", "-f", path], check=False)
    if result.returncode != 0:
        raise HostError(f"haproxy refused {os.path.basename(path)}",
                        result.stderr or result.stdout)


def _start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def master_pid(run_dir: str) -> int | None:
    """PID of the run dir's live master, None when it is not running."""
    try:
        with open(_record(run_dir)) as handle:
            pid_text, started = handle.read().split()
    except (FileNotFoundError, ValueError):
        return None
    pid = int(pid_text)
    return pid if _start_time(pid) == started else None


def is_running(run_dir: str) -> bool:
    return master_pid(run_dir) is not None


def start(run_dir: str, ns: str) -> int:
    """Start HAProxy on the run dir's configuration inside ``ns``; return the master's PID
    once a worker answers. Already running: its PID."""
    if (pid := master_pid(run_dir)) is not None:
        return pid
    for stale in (_master_socket(run_dir), stats_socket(run_dir), _record(run_dir)):
        if os.path.exists(stale):
            os.unlink(stale)
    pid_file = os.path.join(run_dir, "haproxy.pid")
    result = run([BINARY, "-W", "-S", f"{_master_socket(run_dir)},mode,600", "-D", "-p",
                  pid_file, "-f", config_path(run_dir)], ns=ns, check=False, timeout=30)
    if result.returncode != 0:
        raise HostError("haproxy refused haproxy.cfg", result.stderr or result.stdout)
    with open(pid_file) as handle:
        pid = int(handle.read().split()[0])
    started = _start_time(pid)
    if started is None:
        raise HostError(f"haproxy in {run_dir} exited right after starting")
    with open(_record(run_dir) + ".new", "w") as handle:
        handle.write(f"{pid} {started}\n")
    os.replace(_record(run_dir) + ".new", _record(run_dir))
    _wait_worker(run_dir, None, START_TIMEOUT)
    return pid


def worker_pid(run_dir: str) -> int | None:
    """PID of the worker answering the stats socket now (None: none answers)."""
    try:
        info = query(run_dir, "show info")
    except (OSError, HostError):
        return None
    for line in info.splitlines():
        if line.startswith("Pid:"):
            return int(line.split(":", 1)[1])
    return None


def _master_answers(run_dir: str) -> bool:
    """The master re-executes itself on a reload: its CLI is back a moment later."""
    try:
        workers(run_dir)
    except OSError:
        return False
    return True


def _wait_worker(run_dir: str, old: int | None, timeout: float) -> int:
    """Wait for a worker other than ``old`` to answer, and for the master CLI."""
    deadline = time.monotonic() + timeout
    while True:
        pid = worker_pid(run_dir)
        if pid is not None and pid != old and _master_answers(run_dir):
            return pid
        if time.monotonic() > deadline or not is_running(run_dir):
            raise HostError(f"no new haproxy worker answered in {run_dir} after {timeout} s")
        time.sleep(0.005)


def reload(run_dir: str) -> None:
    """Make the master re-read its configuration; return once the new worker answers.
    The old worker keeps serving the connections it has until they end."""
    pid = master_pid(run_dir)
    if pid is None:
        raise HostError(f"haproxy in {run_dir} is not running")
    old = worker_pid(run_dir)
    os.kill(pid, signal.SIGUSR2)
    _wait_worker(run_dir, old, RELOAD_TIMEOUT)


def stop(run_dir: str) -> None:
    """Stop the master and its workers (SIGTERM, then SIGKILL); succeeds when gone."""
    pid = master_pid(run_dir)
    if pid is None:
        return
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while master_pid(run_dir) is not None:
        if time.monotonic() > deadline:
            _signal(pid, signal.SIGKILL)
            break
        time.sleep(0.01)


def kill_namespace(ns: str) -> None:
    """SIGKILL every process inside network namespace ``ns`` (e.g. workers a killed master
    left behind); no-op when the namespace is gone."""
    result = run(["ip", "netns", "pids", ns], check=False)
    pids = [int(word) for word in result.stdout.split()]
    for pid in pids:
        _signal(pid, signal.SIGKILL)
    # gone before returning: a dying worker's listener (SO_REUSEPORT) would otherwise
    # still take a share of the new one's connections, and drop them
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(_start_time(pid) is not None for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.005)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _ask(path: str, command: str, timeout: float) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.sendall(command.encode() + b"\n")
        sock.shutdown(socket.SHUT_WR)  # the master CLI answers once it sees the end
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def query(run_dir: str, command: str, timeout: float = 2.0, worker: int | None = None) -> str:
    """Send ``command`` to the current worker's stats socket, or with ``worker`` (a PID
    from ``workers``) to that worker through the master; return the answer."""
    if worker is None:
        return _ask(stats_socket(run_dir), command, timeout)
    return _ask(_master_socket(run_dir), f"@!{worker} {command}", timeout)


def workers(run_dir: str) -> list[int]:
    """PIDs of the master's workers: the current one first, then the old ones that still
    finish their connections after a reload (they run the previous configuration)."""
    found = []
    for line in _ask(_master_socket(run_dir), "show proc", 2.0).splitlines():
        words = line.split()
        if len(words) > 1 and words[0].isdigit() and words[1] == "worker":
            found.append(int(words[0]))
    return found


def show_stat(run_dir: str, worker: int | None = None) -> list[dict[str, str]]:
    """``show stat`` (of the current worker, or of ``worker``) as one dict per row, keyed
    by HAProxy's column names."""
    lines = query(run_dir, "show stat", worker=worker).splitlines()
    if not lines or not lines[0].startswith("# "):
        return []
    header = lines[0][2:].split(",")
    return [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
