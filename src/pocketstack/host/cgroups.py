"""Instance cgroups on cgroup v1 (memory, cpu, cpuacct, pids hierarchies) or v2 (unified).

``create(name, memory_mb, vcpus, pids_max)`` makes one cgroup per instance named with the
deployment prefix (``names.kernel_name(prefix, "cgroup", id)``), directly under each
hierarchy's root: memory limit (swap too when the kernel accounts it), CPU quota =
``vcpus`` whole CPUs per period, a pids ceiling. Idempotent; limits are re-applied.
``procs_files(name)`` lets a launcher enrol a child before it runs anything
(``write "0"`` = the writing process, on v1 and v2). ``remove`` kills what is left, then
removes the directories; it tolerates "gone". Stdlib only.
"""

from __future__ import annotations

import functools
import os
import signal
import time

from pocketstack.host import names

CGROUP_ROOT = "/sys/fs/cgroup"
V1_CONTROLLERS = ("memory", "cpu", "cpuacct", "pids")
CPU_PERIOD_US = 100_000


def _cgroup_lines(table: str = "/proc/self/mounts") -> list[list[str]]:
    with open(table) as handle:
        return [line.split() for line in handle if line.split()[2] in ("cgroup", "cgroup2")]


@functools.cache
def _ensure_visible() -> None:
    """Mount the kernel's cgroup hierarchies on ``/sys/fs/cgroup`` when this mount
    namespace shows none. ``ip netns exec`` (how a test "host" namespace runs a cloud)
    mounts a fresh ``/sys`` in a private mount namespace, hiding the host's; mounting the
    same hierarchies again there (v1: per hierarchy, its co-mounted controllers; v2: the
    unified one) reaches the same cgroups, and the mounts vanish with that namespace."""
    if _cgroup_lines() or not os.path.isdir(CGROUP_ROOT) or os.listdir(CGROUP_ROOT):
        return
    from pocketstack.host import mounts

    hierarchies: dict[str, list[str]] = {}
    with open("/proc/cgroups") as handle:
        for line in handle:
            fields = line.split()
            if fields and not line.startswith("#") and fields[1] != "0" and fields[3] == "1":
                hierarchies.setdefault(fields[1], []).append(fields[0])
    wanted = [sorted(group) for group in hierarchies.values()
              if set(group) & set(V1_CONTROLLERS)]
    if not wanted:
        mounts.mount("cgroup2", CGROUP_ROOT, "cgroup2", mounts.MS_NOSUID | mounts.MS_NODEV)
        return
    mounts.mount("tmpfs", CGROUP_ROOT, "tmpfs", mounts.MS_NOSUID | mounts.MS_NODEV, "mode=755")
    for group in wanted:
        point = os.path.join(CGROUP_ROOT, ",".join(group))
        os.makedirs(point, exist_ok=True)
        mounts.mount("cgroup", point, "cgroup", mounts.MS_NOSUID | mounts.MS_NODEV,
                     ",".join(group))


def _root() -> str:
    _ensure_visible()
    return CGROUP_ROOT


def version() -> int:
    """2 when a unified hierarchy with the memory controller is mounted at the root, else 1."""
    try:
        with open(os.path.join(_root(), "cgroup.controllers")) as handle:
            return 2 if "memory" in handle.read().split() else 1
    except FileNotFoundError:
        return 1


def _v1_mounts() -> dict[str, str]:
    found = {}
    _ensure_visible()
    for _, point, fstype, options, *_rest in _cgroup_lines():
        if fstype == "cgroup":
            for option in options.split(","):
                if option in V1_CONTROLLERS:
                    found.setdefault(option, point)
    return found


def _dirs(name: str) -> list[str]:
    if version() == 2:
        return [os.path.join(_root(), name)]
    # cpu and cpuacct are often mounted together: one directory serves both
    return [os.path.join(point, name) for point in dict.fromkeys(_v1_mounts().values())]


def _dir_for(controller: str, name: str) -> str:
    if version() == 2:
        return os.path.join(_root(), name)
    return os.path.join(_v1_mounts()[controller], name)


def _write(path: str, value: str | int, optional: bool = False) -> None:
    try:
        with open(path, "w") as handle:
            handle.write(f"{value}\n")
    except OSError:
        if not optional:
            raise


def _enable_v2_controllers() -> None:
    wanted = "+memory +cpu +pids"
    _write(os.path.join(_root(), "cgroup.subtree_control"), wanted, optional=True)


def create(name: str, memory_mb: int | None = None, vcpus: float | None = None,
           pids_max: int | None = None) -> None:
    """Create (or update) cgroup ``name`` with the given limits (None = unlimited)."""
    if version() == 2:
        _enable_v2_controllers()
    for path in _dirs(name):
        os.makedirs(path, exist_ok=True)
    if version() == 2:
        base = _dir_for("memory", name)
        _write(f"{base}/memory.max", memory_mb * 2**20 if memory_mb else "max")
        _write(f"{base}/memory.swap.max", 0 if memory_mb else "max", optional=True)
        quota = int(vcpus * CPU_PERIOD_US) if vcpus else "max"
        _write(f"{base}/cpu.max", f"{quota} {CPU_PERIOD_US}")
        _write(f"{base}/pids.max", pids_max or "max")
        return
    memory = _dir_for("memory", name)
    limit = memory_mb * 2**20 if memory_mb else -1
    _write(f"{memory}/memory.limit_in_bytes", limit)
    _write(f"{memory}/memory.memsw.limit_in_bytes", limit, optional=True)
    cpu = _dir_for("cpu", name)
    _write(f"{cpu}/cpu.cfs_period_us", CPU_PERIOD_US)
    _write(f"{cpu}/cpu.cfs_quota_us", int(vcpus * CPU_PERIOD_US) if vcpus else -1)
    _write(f"{_dir_for('pids', name)}/pids.max", pids_max or "max")


def exists(name: str) -> bool:
    return any(os.path.isdir(path) for path in _dirs(name))


def procs_files(name: str) -> list[str]:
    """The ``cgroup.procs`` files a process must join (one per v1 hierarchy)."""
    return [os.path.join(path, "cgroup.procs") for path in _dirs(name)]


def add_pid(name: str, pid: int) -> None:
    """Move process ``pid`` (and, from then on, its children) into cgroup ``name``."""
    for path in procs_files(name):
        _write(path, pid)


def pids(name: str) -> list[int]:
    """Host PIDs of the processes in cgroup ``name`` (empty when gone)."""
    found: set[int] = set()
    for path in procs_files(name):
        try:
            with open(path) as handle:
                found.update(int(line) for line in handle if line.strip())
        except FileNotFoundError:
            pass
    return sorted(found)


def kill(name: str, timeout: float = 5.0) -> None:
    """SIGKILL every process in cgroup ``name`` until it is empty (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    while (members := pids(name)) and time.monotonic() < deadline:
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)


def cpu_seconds(name: str) -> float:
    """CPU time used by cgroup ``name`` so far (v2 ``cpu.stat`` usage_usec, v1
    ``cpuacct.usage`` in ns). Raises OSError when the cgroup or its counter is missing."""
    if version() == 2:
        with open(os.path.join(_dir_for("cpu", name), "cpu.stat")) as handle:
            usage = dict(line.split() for line in handle if line.strip())
        return int(usage["usage_usec"]) / 1e6
    mounts = _v1_mounts()
    if "cpuacct" not in mounts:
        raise FileNotFoundError("no cpuacct cgroup hierarchy is mounted")
    with open(os.path.join(mounts["cpuacct"], name, "cpuacct.usage")) as handle:
        return int(handle.read()) / 1e9


def memory_events(name: str) -> dict[str, int]:
    """OOM counters: ``{"oom_kill": n, ...}`` (v2 ``memory.events``, v1 ``oom_control``)."""
    base = _dir_for("memory", name)
    path = f"{base}/memory.events" if version() == 2 else f"{base}/memory.oom_control"
    try:
        with open(path) as handle:
            pairs = (line.split() for line in handle if line.strip())
            return {key: int(value) for key, value in pairs}
    except FileNotFoundError:
        return {}


def remove(name: str, timeout: float = 5.0) -> None:
    """Kill what is left in cgroup ``name`` and remove it; no-op when gone."""
    kill(name, timeout)
    deadline = time.monotonic() + timeout
    for path in _dirs(name):
        while os.path.isdir(path):
            try:
                os.rmdir(path)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)


def list_names(prefix: str) -> list[str]:
    """Cgroups of ``prefix`` (in any hierarchy), sorted."""
    found: set[str] = set()
    roots = [_root()] if version() == 2 else list(_v1_mounts().values())
    for root in roots:
        found.update(names.owned(prefix, os.listdir(root)))
    return sorted(found)
