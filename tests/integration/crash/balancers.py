"""Load balancers in the crash invariants: what the database names of them, and what the
host runs for them.

Each load balancer the database keeps (any status but ``PENDING_DELETE``) has exactly one
namespace of the prefix, one run dir, one HAProxy master with one worker (both inside
that namespace, nothing else in it), and its HAProxy serves exactly the listeners, pools
and members the database names (read back through the stats socket: what runs, not what
was written). No HAProxy of the data dir runs for anything else.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from pocketstack.host import haproxy, names, netns
from pocketstack.host.proc import NETNS_DIR, HostError

LIVE = "provisioning_status != 'PENDING_DELETE'"
MEMBERS = (f"select m.id from lb_members m join lb_pools p on m.pool_id = p.id where "
           f"p.loadbalancer_id = ? and m.{LIVE} and p.{LIVE}")


def desired(db: sqlite3.Connection) -> dict:
    def ids(sql: str, *args) -> list[str]:
        return sorted(row[0] for row in db.execute(sql, args))

    balancers = ids(f"select id from lb_loadbalancers where {LIVE}")
    return {
        "loadbalancers": set(balancers),
        "vip_ports": set(ids(f"select vip_port_id from lb_loadbalancers where {LIVE}")),
        "lb_serving": {lb: {
            "frontends": ids(f"select id from lb_listeners where loadbalancer_id = ? and "
                             f"{LIVE}", lb),
            "backends": ids(f"select id from lb_pools where loadbalancer_id = ? and {LIVE}", lb),
            "servers": ids(MEMBERS, lb)} for lb in balancers},
    }


def pending(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute(
        "select id from lb_loadbalancers where provisioning_status like 'PENDING_%'")}


def expected(prefix: str, want: dict) -> dict:
    balancers = sorted(want["loadbalancers"])
    return {
        "lb_ns": sorted(names.kernel_name(prefix, "lb_ns", lb) for lb in balancers),
        "lb_dirs": balancers,
        "haproxy": {lb: _shape(1, 1, [names.kernel_name(prefix, "lb_ns", lb)])
                    for lb in balancers},
        "lb_ns_strangers": [],
        "lb_serving": want["lb_serving"],
    }


def kernel(prefix: str, data_dir: Path) -> dict:
    """What runs for load balancers; call inside the host namespace."""
    root = data_dir / "loadbalancers"
    dirs = sorted(os.listdir(root)) if root.is_dir() else []
    spaces = {_named_ns(name): name for name in netns.list_names(prefix, "lb_ns")}
    processes = _haproxy_processes(str(root))
    return {
        "lb_ns": sorted(spaces.values()),
        "lb_dirs": dirs,
        "haproxy": _describe(processes, spaces),
        "lb_ns_strangers": _strangers(prefix, processes, spaces),
        "lb_serving": {lb: _serving(str(root / lb)) for lb in dirs},
    }


def _shape(masters: int, workers: int, spaces: list[str]) -> str:
    return f"{masters} master, {workers} worker in {', '.join(spaces) or 'no namespace'}"


def _haproxy_processes(root: str) -> dict[int, str]:
    """``{pid: load balancer id}`` of every HAProxy started on a run dir under ``root``."""
    found = {}
    marker = root + "/"
    for pid in _pids():
        argv = _cmdline(pid)
        if not argv or not argv[0].endswith("haproxy"):
            continue
        for arg in argv:
            if arg.startswith(marker):
                found[pid] = arg[len(marker):].split("/")[0]
                break
    return found


def _describe(processes: dict[int, str], spaces: dict[str, str]) -> dict[str, str]:
    by_lb: dict[str, list[int]] = {}
    for pid, lb in processes.items():
        by_lb.setdefault(lb, []).append(pid)
    shapes = {}
    for lb, pids in by_lb.items():
        masters = [p for p in pids if processes.get(_ppid(p)) != lb]
        where = sorted({spaces.get(_net_of(p), "another namespace") for p in pids})
        shapes[lb] = _shape(len(masters), len(pids) - len(masters), where)
    return shapes


def _strangers(prefix: str, processes: dict[int, str], spaces: dict[str, str]) -> list[str]:
    """Processes inside a load balancer's namespace that are not its HAProxy."""
    found = []
    for pid in _pids():
        space, lb = spaces.get(_net_of(pid)), processes.get(pid)
        if space and (lb is None or names.kernel_name(prefix, "lb_ns", lb) != space):
            found.append(f"{pid} {' '.join(_cmdline(pid))[:80]!r} in {space}")
    return found


def _serving(run_dir: str) -> dict | str:
    try:
        rows = haproxy.show_stat(run_dir)
    except (OSError, HostError) as error:
        return f"not answering: {error}"
    kinds = {"FRONTEND": "frontends", "BACKEND": "backends"}
    serving: dict[str, list[str]] = {"frontends": [], "backends": [], "servers": []}
    for row in rows:
        key = "pxname" if row["svname"] in kinds else "svname"
        serving[kinds.get(row["svname"], "servers")].append(row[key])
    return {kind: sorted(found) for kind, found in serving.items()}


def _named_ns(name: str) -> str:
    """``net:[inode]`` of a named namespace, as ``/proc/<pid>/ns/net`` reads."""
    try:
        return f"net:[{os.stat(os.path.join(NETNS_DIR, name)).st_ino}]"
    except OSError:
        return ""


def _net_of(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/ns/net")
    except OSError:
        return ""


def _pids() -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0
