"""What the database names and what the kernel holds of a prefix, to compare after crashes.

``desired(data_dir)`` reads the state store (read-only, next to a running process);
``expected_kernel(prefix, desired)`` turns it into the kernel objects that must exist;
``kernel(prefix, data_dir)`` lists what does exist (call it inside the host namespace).
The two must be equal: every desired object exactly once, nothing of the prefix that the
database does not name (load balancers: ``balancers``). ``cgroup_violations`` finds instance processes outside their
cgroup (and cgroup members that are no process of that instance).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from pathlib import Path

from pocketstack.drivers.compute import inventory
from pocketstack.host import cgroups, links, names, netns, nft
from pocketstack.host.proc import run

from . import balancers

PLUGGED = ("not deleting and device_id != '' and device_owner not like 'network:%'")
CGROUP_CONTROLLERS = ("memory", "cpu", "pids")


def desired(data_dir: Path) -> dict:
    """Ids the database names (read-only, next to the running process)."""
    with sqlite3.connect(f"file:{data_dir / 'pocketstack.db'}?mode=ro", uri=True,
                         timeout=30) as db:
        def ids(sql: str) -> set[str]:
            return {row[0] for row in db.execute(sql)}
        routers = ids("select id from routers")
        lbs = balancers.desired(db)
        return {
            **lbs,
            "servers": ids("select id from servers"),
            "networks": ids("select id from networks"),
            "routers": routers,
            "host_ports": ids("select id from ports where device_owner like 'compute:%' "
                              "or device_owner like 'network:router_%'") | lbs["vip_ports"],
            "router_legs": {r: ids(f"select id from ports where device_id = '{r}' and "
                                   "device_owner like 'network:router_%'") for r in routers},
            "sg_ports": ids(f"select id from ports where {PLUGGED} and port_security_enabled"),
            "known_ports": ids(f"select id from ports where {PLUGGED}")
            | ids("select id from ports where device_owner like 'network:router_%'"),
            "floating": {r: dict(db.execute(
                "select floating_ip_address, fixed_ip_address from floating_ips where "
                f"router_id = '{r}' and port_id is not null and fixed_ip_address is not null "
                "and not deleting").fetchall()) for r in routers},
            "pending": _pending(ids, balancers.pending(db)),
        }


def _pending(ids, lbs: set[str]) -> dict:
    tables = (("servers", ids("select id from servers where task_state is not null or "
                              "vm_state != 'active'")),
              *((table, ids(f"select id from {table} where deleting or "
                            "generation != applied_generation"))
                for table in ("networks", "routers", "floating_ips")),
              ("ports", ids("select id from ports where device_owner not like 'network:%' "
                            "and (deleting or generation != applied_generation)")),
              ("lb_loadbalancers", lbs))
    return {table: found for table, found in tables if found}


def converge(data_dir: Path, timeout: float = 120.0, tail=lambda: "") -> dict:
    """``desired`` once nothing is pending (AssertionError after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        want = desired(data_dir)
        if not want["pending"]:
            return want
        assert time.monotonic() < deadline, f"not converged: {want['pending']}\n{tail()}"
        time.sleep(0.2)


def expected_kernel(prefix: str, want: dict) -> dict:
    def kn(kind: str, ids) -> list[str]:
        return sorted(names.kernel_name(prefix, kind, i) for i in ids)

    def ns(router: str) -> str:
        return names.kernel_name(prefix, "router_ns", router)

    return {
        "instance_ns": kn("instance_ns", want["servers"]),
        "router_ns": kn("router_ns", want["routers"]),
        "cgroups": kn("cgroup", want["servers"]),
        "bridges": kn("bridge", want["networks"]),
        "ports": kn("port", want["host_ports"]),
        "router_legs": {ns(r): kn("peer", legs) for r, legs in want["router_legs"].items()},
        "tables": sorted([names.kernel_name(prefix, "table", t) for t in
                          ("secgroups", "guard")]),
        "router_tables": {ns(r): [names.kernel_name(prefix, "table", r)]
                          for r in want["routers"]},
        "sg_ports": kn("port", want["sg_ports"]),
        "known_ports": kn("port", want["known_ports"]),
        "floating": {ns(r): fips for r, fips in want["floating"].items()},
        "instance_dirs": sorted(want["servers"]),
        "launchers": sorted(want["servers"]),
        "inits": sorted(want["servers"]),
        "overlays": sorted(want["servers"]),
        **balancers.expected(prefix, want),
    }


def kernel(prefix: str, data_dir: Path) -> dict:
    """What the kernel holds of ``prefix``; call inside the host namespace."""
    instances = str(data_dir / "instances")
    routers = netns.list_names(prefix, "router_ns")
    secgroups, guard = (names.kernel_name(prefix, "table", t) for t in ("secgroups", "guard"))
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
        "sg_ports": sorted(nft_elements("bridge", secgroups, "map", "port_in")),
        "known_ports": sorted(nft_elements("bridge", guard, "set", "known")),
        "floating": {r: nft_elements("ip", names.kernel_name(
            prefix, "table", names.parse(prefix, r).fragment), "map", "fip_dnat", r)
            for r in routers},
        "instance_dirs": sorted(inventory.instance_dirs(instances)),
        "launchers": sorted(inventory.launcher_pids(instances).values()),
        "inits": sorted(init_processes(instances)),
        "overlays": sorted(overlay_owners(instances)),
        **balancers.kernel(prefix, data_dir),
    }


def settled_kernel(prefix: str, data_dir: Path, want: dict, timeout: float = 5.0) -> dict:
    """``kernel`` once it equals what ``want`` implies, or as it is after ``timeout``: a
    process told to go (the old HAProxy worker after a reload) takes a moment to exit."""
    deadline = time.monotonic() + timeout
    while (found := kernel(prefix, data_dir)) != expected_kernel(prefix, want):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return found


def nft_elements(family: str, table: str, kind: str, name: str, ns: str | None = None):
    """A set's elements (a list) or a map's ``{key: value}``; empty when absent."""
    result = run(["nft", "-j", "list", kind, family, table, name], ns=ns, check=False)
    if result.returncode != 0:
        return {} if kind == "map" else []
    found = next((item[kind] for item in json.loads(result.stdout)["nftables"]
                  if kind in item), {})
    elements = [_value(e) for e in found.get("elem", [])]
    return dict(elements) if kind == "map" else elements


def _value(element):
    if isinstance(element, dict) and "elem" in element:
        return _value(element["elem"]["val"])
    if isinstance(element, list):
        return tuple(_value(e) for e in element)
    return element


# instance processes


def cgroup_violations(prefix: str, instances_dir: str) -> list[str]:
    """Every process of an instance (its launcher and all it forked) must be in that
    instance's cgroup in every controller, and every member of an instance cgroup must be
    a process of that instance. Returns what is not so (empty = fine)."""
    launchers = inventory.launcher_pids(instances_dir)
    children: dict[int, list[int]] = {}
    for pid in _pids():
        children.setdefault(_ppid(pid), []).append(pid)
    owner: dict[int, str] = {}
    for launcher, instance_id in launchers.items():
        tree = [launcher]
        while tree:
            pid = tree.pop()
            owner[pid] = instance_id
            tree += children.get(pid, [])
    problems = []
    for pid, instance_id in owner.items():
        want = "/" + names.kernel_name(prefix, "cgroup", instance_id)
        wrong = {c: p for c, p in _cgroups_of(pid).items() if p != want}
        if wrong:
            problems.append(f"pid {pid} of {instance_id} is in {wrong}, not {want}")
    for name in names.owned(prefix, cgroups.list_names(prefix), "cgroup"):
        for pid in cgroups.pids(name):
            if pid in owner and names.kernel_name(prefix, "cgroup", owner[pid]) == name:
                continue
            if os.path.exists(f"/proc/{pid}"):
                problems.append(f"pid {pid} ({_cmdline(pid)[:80]!r}) is in {name}")
    return problems


def _cgroups_of(pid: int) -> dict[str, str]:
    """``{controller: path}`` for the controllers instances are limited by (v2:
    ``unified``)."""
    try:
        with open(f"/proc/{pid}/cgroup") as handle:
            lines = [line.rstrip("\n").split(":", 2) for line in handle]
    except OSError:
        return {}
    if cgroups.version() == 2:
        unified = [path for number, _, path in lines if number == "0"]
        return {"unified": unified[0]} if unified else {}
    return {c: path for _, controllers, path in lines for c in controllers.split(",")
            if c in CGROUP_CONTROLLERS}


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


def _ppid(pid: int) -> int:
    field = _status_field(pid, "PPid")
    return int(field.split()[1]) if field else 0


def _status_field(pid: int, field: str) -> str:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return line.rstrip("\n")
    except OSError:
        pass
    return ""
