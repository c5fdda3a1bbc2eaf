"""Launch, stop and watch namespace instances (host side of ``host/init.py``).

An instance's host-side state is one directory, ``spec.run_dir``: ``config.json`` (read
by the init), ``console.log`` (everything the init and its children print), ``launcher``
(``"<pid> <starttime>"`` of the launcher process) and ``root/`` (the mount point; the
overlay is mounted only inside the instance's own mount namespace, so nothing leaks into
the host's mount table and everything vanishes when the instance exits).

The launcher is ``nsenter --net=<netns> unshare --mount --pid --uts --ipc --fork
--propagation private --kill-child <system python3> -S -s -B -m pocketstack.host.init
config.json`` (``-S``: no ``site``, the init needs only the standard library): its
child is PID 1 of the new pid namespace. It joins the instance's cgroup before it runs
anything, so every process of the instance is accounted.

Contracts: ``spawn`` raises ``HostError`` when the launcher cannot start (nothing is left
running); the boot itself is asynchronous (``wait_ready``). ``stop`` sends SIGTERM to the
init (which forwards it), SIGKILL after ``timeout``, and succeeds when already stopped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import asdict, dataclass, field

import yaml

import pocketstack
from pocketstack.host import cgroups, names
from pocketstack.host.init import FAILED_LINE, READY_LINE
from pocketstack.host.proc import HostError, netns_path

SYSTEM_PYTHON = "/usr/bin/python3"
_children: dict[int, subprocess.Popen] = {}


@dataclass
class InstanceSpec:
    """What to run. ``lowers`` are image layer dirs, top first; ``upper``/``work`` (and
    ``usr_upper``/``usr_work`` with ``host_usr``) are this instance's writable dirs."""

    run_dir: str
    netns: str
    hostname: str
    lowers: list[str]
    upper: str
    work: str
    host_usr: bool = False
    usr_upper: str | None = None
    usr_work: str | None = None
    authorized_keys: list[str] = field(default_factory=list)
    user_data: str | None = None
    nameservers: list[str] = field(default_factory=list)
    hosts: list[tuple[str, str]] = field(default_factory=list)
    cgroup: str | None = None
    memory_mb: int | None = None
    vcpus: float | None = None
    pids_max: int | None = None
    stop_timeout: float = 10.0
    python: str = SYSTEM_PYTHON


def parse_cloud_config(user_data: str | None) -> dict | None:
    """The ``#cloud-config`` document as a dict, None for anything else (or bad YAML)."""
    if not user_data or not user_data.startswith("#cloud-config"):
        return None
    try:
        document = yaml.safe_load(user_data)
    except yaml.YAMLError:
        return None
    return document if isinstance(document, dict) else None


def _config(spec: InstanceSpec) -> dict:
    config = asdict(spec)
    config["root"] = os.path.join(spec.run_dir, "root")
    config["cloud_config"] = parse_cloud_config(spec.user_data)
    return config


def _command(spec: InstanceSpec, config_path: str) -> list[str]:
    return ["nsenter", f"--net={netns_path(spec.netns)}", "unshare", "--mount", "--pid",
            "--uts", "--ipc", "--fork", "--propagation", "private", "--kill-child",
            spec.python, "-S", "-s", "-B", "-m", "pocketstack.host.init", config_path]


# Joins the cgroups, then execs the command: the process is accounted before it runs
# anything, without a preexec_fn (unsafe in a threaded agent).
_JOIN_THEN_EXEC = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); '
    'done; exec "$@"'
)


def in_cgroup(cgroup: str | None, argv: list[str]) -> list[str]:
    if not cgroup:
        return argv
    files = cgroups.procs_files(cgroup)
    return ["/bin/sh", "-c", _JOIN_THEN_EXEC, "sh", str(len(files)), *files, *argv]


def spawn(spec: InstanceSpec) -> int:
    """Start the instance; return the launcher's PID. Already running: return its PID."""
    if (pid := launcher_pid(spec.run_dir)) is not None:
        return pid
    if not os.path.exists(netns_path(spec.netns)):
        raise HostError(f"network namespace {spec.netns} does not exist")
    os.makedirs(os.path.join(spec.run_dir, "root"), exist_ok=True)
    config_path = os.path.join(spec.run_dir, "config.json")
    with open(config_path, "w") as handle:
        json.dump(_config(spec), handle)
    if spec.cgroup:
        cgroups.create(spec.cgroup, spec.memory_mb, spec.vcpus, spec.pids_max)
    source_dir = os.path.dirname(os.path.dirname(pocketstack.__file__))
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": source_dir,
           "LANG": "C.UTF-8"}
    with open(os.path.join(spec.run_dir, "console.log"), "ab") as console:
        try:
            process = subprocess.Popen(
                in_cgroup(spec.cgroup, _command(spec, config_path)),
                stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)
        except (OSError, subprocess.SubprocessError) as error:
            raise HostError(f"cannot launch instance in {spec.run_dir}: {error}") from error
    _children[process.pid] = process
    with open(os.path.join(spec.run_dir, "launcher"), "w") as handle:
        handle.write(f"{process.pid} {_start_time(process.pid)}\n")
    return process.pid


def _start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None if fields[0] == "Z" else fields[19]


def launcher_pid(run_dir: str) -> int | None:
    """PID of the instance's live launcher, None when the instance is not running."""
    try:
        with open(os.path.join(run_dir, "launcher")) as handle:
            pid_text, started = handle.read().split()
    except (FileNotFoundError, ValueError):
        return None
    pid = int(pid_text)
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        _children.pop(pid, None)  # another thread may have reaped it first
        return None
    return pid if _start_time(pid) == started else None


def init_pid(run_dir: str) -> int | None:
    """Host PID of the instance's PID 1, None when not running (or not yet forked)."""
    pid = launcher_pid(run_dir)
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            children = handle.read().split()
    except FileNotFoundError:
        return None
    return int(children[0]) if children else None


def is_running(run_dir: str) -> bool:
    return launcher_pid(run_dir) is not None


def wait_ready(run_dir: str, timeout: float = 30.0) -> bool:
    """Wait for the init to finish booting: True when ready, False on failure/timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = console_log(run_dir)
        if READY_LINE in log:
            return True
        if FAILED_LINE in log or not is_running(run_dir):
            return False
        time.sleep(0.005)
    return False


def _wait_gone(run_dir: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while is_running(run_dir):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def stop(run_dir: str, timeout: float = 10.0, cgroup: str | None = None) -> None:
    """SIGTERM the instance, SIGKILL after ``timeout``; kill and remove ``cgroup`` if given.
    Succeeds when the instance is already stopped."""
    pid = init_pid(run_dir)
    if pid is not None:
        _signal(pid, signal.SIGTERM)
        if not _wait_gone(run_dir, timeout):
            _signal(pid, signal.SIGKILL)
    launcher = launcher_pid(run_dir)
    if launcher is not None and not _wait_gone(run_dir, 2.0):
        _signal(launcher, signal.SIGKILL)
        _wait_gone(run_dir, 2.0)
    if cgroup:
        cgroups.remove(cgroup)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def console_log(run_dir: str, limit: int | None = None) -> str:
    """The console log (its last ``limit`` bytes when given); empty when none yet."""
    try:
        with open(os.path.join(run_dir, "console.log"), "rb") as handle:
            if limit:
                handle.seek(max(0, os.fstat(handle.fileno()).st_size - limit))
            return handle.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def list_running(base_dir: str, prefix: str) -> list[str]:
    """Names of the run dirs under ``base_dir`` made with ``prefix`` whose instance runs."""
    try:
        entries = os.listdir(base_dir)
    except FileNotFoundError:
        return []
    return sorted(name for name in names.owned(prefix, entries)
                  if is_running(os.path.join(base_dir, name)))


def execute(run_dir: str, cmd: list[str], cgroup: str | None = None,
            input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``cmd`` inside the running instance (all its namespaces, its root; in its
    ``cgroup`` when given) and return the completed process (text output)."""
    pid = init_pid(run_dir)
    if pid is None:
        raise HostError(f"instance in {run_dir} is not running")
    argv = ["nsenter", "-t", str(pid), "-m", "-u", "-i", "-n", "-p", "-r", "-w", "--", *cmd]
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOME": "/root", "LANG": "C.UTF-8"}
    return subprocess.run(in_cgroup(cgroup, argv), input=input, capture_output=True,
                          text=True, env=env, timeout=timeout, check=False)
