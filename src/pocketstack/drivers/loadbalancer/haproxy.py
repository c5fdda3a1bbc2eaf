"""The haproxy load balancer driver: a load balancer is HAProxy in its own network
namespace, plugged into the tenant network like an instance.

Per load balancer (``id``):
  * ``<data_dir>/loadbalancers/<id>/``: ``record.json`` (the namespace and the VIP's
    host-side interface, written first so ``destroy`` finds everything after a crash
    mid-ensure), the ``host.haproxy`` run files (``haproxy.cfg``, sockets, PID files) and
    ``loaded``, present once the running HAProxy has read ``haproxy.cfg`` as it is (a
    crash between writing a changed file and the reload is then reloaded on restart);
  * network namespace ``kernel_name(prefix, "lb_ns", id)`` with a veth: host end
    ``kernel_name(prefix, "port", vip_port_id)`` on the network's bridge (made by the
    network driver, which also applies the VIP port's rules to that name), inner end
    ``eth0`` with the VIP's MAC and address and a default route via the subnet's gateway
    (so replies reach clients that came through a floating IP);
  * one HAProxy master-worker inside it (``haproxy_config.render``). A changed spec is a
    seamless reload: established connections finish on the old worker.

HAProxy runs in its own session, so a restart of pocketstack leaves load balancers
serving; the first agent pass finds them again. After a reload the old worker finishes its
clients' connections with its old configuration (HTTP: each idle keep-alive connection
serves one more request, then closes, so no client meets a connection closed under its
request); stats are summed over all workers, and a member is DRAIN only once no worker
gives it weight.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from dataclasses import astuple
from pathlib import Path

from pocketstack.config import Settings
from pocketstack.drivers.loadbalancer import haproxy_config
from pocketstack.drivers.loadbalancer.base import (
    ListenerStats,
    LoadBalancerCapabilities,
    LoadBalancerSpec,
    LoadBalancerStats,
    MemberStats,
)
from pocketstack.errors import DriverError
from pocketstack.host import haproxy, links, names, netns
from pocketstack.host.proc import HostError

HOST_ERRORS = (HostError, OSError, subprocess.SubprocessError, ValueError)
MEMBER_STATUS = {"UP": "UP", "DOWN": "DOWN", "NOLB": "DRAIN", "DRAIN": "DRAIN",
                 "MAINT": "MAINT", "no": "NO_CHECK"}

log = logging.getLogger(__name__)


class HaproxyLoadBalancerDriver:
    capabilities = LoadBalancerCapabilities(real_load_balancing=True)

    def __init__(self, settings: Settings) -> None:
        self.prefix = names.check_prefix(settings.prefix)
        self.ns: str | None = settings.extra.get("host_ns")
        self.base_dir = str(settings.data_dir / "loadbalancers")
        os.makedirs(self.base_dir, mode=0o700, exist_ok=True)

    def _dir(self, lb_id: str) -> str:
        return os.path.join(self.base_dir, lb_id)

    def _netns(self, lb_id: str) -> str:
        return names.kernel_name(self.prefix, "lb_ns", lb_id)

    def _host_port(self, spec: LoadBalancerSpec) -> str:
        return names.kernel_name(self.prefix, "port", spec.vip_port_id)

    # converge

    def ensure(self, spec: LoadBalancerSpec) -> None:
        if not haproxy.available():
            raise DriverError("haproxy is not installed on this host; install it "
                              "(apt-get install haproxy) and the load balancer is retried.",
                              permanent=False)
        bridge = names.kernel_name(self.prefix, "bridge", spec.vip_network_id)
        if not links.link_exists(bridge, self.ns):
            raise DriverError(f"Network {spec.vip_network_id} is not on this host yet.",
                              permanent=False)
        try:
            self._ensure(spec, bridge)
        except HostError as error:
            if "haproxy refused" in str(error):
                raise DriverError(f"Could not configure load balancer {spec.id}: {error}") \
                    from error
            raise DriverError(f"Could not set up load balancer {spec.id}: {error}",
                              permanent=False) from error
        except HOST_ERRORS as error:
            raise DriverError(f"Could not set up load balancer {spec.id}: {error}",
                              permanent=False) from error

    def _ensure(self, spec: LoadBalancerSpec, bridge: str) -> None:
        run_dir = self._dir(spec.id)
        os.makedirs(run_dir, mode=0o700, exist_ok=True)
        self._write_record(spec)
        ns = self._netns(spec.id)
        netns.create(ns)
        links.ensure_port(self._host_port(spec), bridge, ns, "eth0", mac=spec.mac_address,
                          mtu=spec.mtu, cidrs=[f"{spec.vip_address}/{spec.prefix_length}"],
                          gateway=spec.gateway, ns=self.ns)
        running = haproxy.is_running(run_dir)
        changed = self._write_config(run_dir, spec, check=running)
        if not running:
            haproxy.kill_namespace(ns)  # workers a killed master left holding the ports
            haproxy.start(run_dir, ns)
        elif changed or not os.path.exists(_loaded(run_dir)):
            haproxy.reload(run_dir)
        with open(_loaded(run_dir), "w"):
            pass

    def _write_record(self, spec: LoadBalancerSpec) -> None:
        path = os.path.join(self._dir(spec.id), "record.json")
        record = {"id": spec.id, "netns": self._netns(spec.id), "port": self._host_port(spec)}
        with open(path + ".new", "w") as handle:
            json.dump(record, handle)
        os.replace(path + ".new", path)

    def _write_config(self, run_dir: str, spec: LoadBalancerSpec, check: bool) -> bool:
        """Write the rendered configuration if it differs (with ``check``, HAProxy checks
        it first: a reload of a bad file would leave the old worker alone)."""
        path = haproxy.config_path(run_dir)
        text = haproxy_config.render(spec, haproxy.stats_socket(run_dir))
        try:
            with open(path) as handle:
                if handle.read() == text:
                    return False
        except FileNotFoundError:
            pass
        with open(path + ".new", "w") as handle:
            handle.write(text)
        if check:
            haproxy.check(path + ".new")
        # Until HAProxy has read it, the file is ahead of what runs: a crash before the
        # reload must not leave the next ensure believing the file is served.
        Path(_loaded(run_dir)).unlink(missing_ok=True)
        os.replace(path + ".new", path)
        return True

    # remove

    def destroy(self, loadbalancer_id: str) -> None:
        run_dir = self._dir(loadbalancer_id)
        record = self._read_record(run_dir)
        ns = record.get("netns") or self._netns(loadbalancer_id)
        try:
            haproxy.stop(run_dir)
            if netns.exists(ns):
                haproxy.kill_namespace(ns)
            if record.get("port"):
                links.delete_link(record["port"], self.ns)
            netns.delete(ns)
            shutil.rmtree(run_dir, ignore_errors=True)
        except HOST_ERRORS as error:
            raise DriverError(f"Could not remove load balancer {loadbalancer_id}: {error}",
                              permanent=False) from error

    @staticmethod
    def _read_record(run_dir: str) -> dict:
        try:
            with open(os.path.join(run_dir, "record.json")) as handle:
                return json.load(handle)
        except (FileNotFoundError, ValueError):
            return {}

    # observe

    def is_running(self, loadbalancer_id: str) -> bool:
        return haproxy.is_running(self._dir(loadbalancer_id))

    def stats(self, loadbalancer_id: str) -> LoadBalancerStats:
        """Summed over the current worker and the old ones still finishing connections
        after a reload: their clients are load, and their sessions to a draining member
        still run."""
        run_dir = self._dir(loadbalancer_id)
        if not haproxy.is_running(run_dir):
            return LoadBalancerStats()
        try:
            return _stats(*_rows_per_worker(run_dir))
        except HOST_ERRORS as error:
            log.warning("reading the stats of load balancer %s failed: %s", loadbalancer_id,
                        error)
            return LoadBalancerStats()

    def list_loadbalancers(self) -> set[str]:
        ids = set(os.listdir(self.base_dir))
        known = {names.fragment(key) for key in ids}
        for name in netns.list_names(self.prefix, "lb_ns"):
            fragment = names.parse(self.prefix, name).fragment
            if fragment not in known:
                ids.add(fragment)
        return ids


def _loaded(run_dir: str) -> str:
    """A marker: present once the running HAProxy has read ``haproxy.cfg`` as it is."""
    return os.path.join(run_dir, "loaded")


def _number(row: dict, key: str) -> int:
    value = row.get(key, "")
    return int(value) if value.isdigit() else 0


def _rows_per_worker(run_dir: str) -> list[list[dict]]:
    """``show stat`` of every worker, the current one first (only the current one's when
    the master does not answer)."""
    try:
        pids = haproxy.workers(run_dir)
    except HOST_ERRORS:
        pids = []
    found = []
    for pid in pids:
        try:
            found.append(haproxy.show_stat(run_dir, pid))
        except HOST_ERRORS:
            pass  # it exited meanwhile (an old one: its connections are over)
    return found or [haproxy.show_stat(run_dir)]


def _stats(*workers: list[dict]) -> LoadBalancerStats:
    """Stats from the rows of each worker, the current one first: counts are summed, a
    member's status is the newest worker's, except that a member at weight 0 in every
    worker is DRAIN (no worker sends it new sessions; an old worker, which keeps its
    configuration and refuses runtime changes, may until it exits)."""
    listeners: dict[str, ListenerStats] = {}
    rate = 0.0
    for row in (row for rows in workers for row in rows if row.get("svname") == "FRONTEND"):
        listeners[row["pxname"]] = _add(listeners.get(row["pxname"]), ListenerStats(
            active_connections=_number(row, "scur"), total_connections=_number(row, "stot"),
            bytes_in=_number(row, "bin"), bytes_out=_number(row, "bout"),
            request_errors=_number(row, "ereq")))
        rate += _number(row, "req_rate") if row.get("mode") == "http" else _number(row, "rate")
    totals = {name: sum(getattr(x, name) for x in listeners.values())
              for name in ("active_connections", "total_connections", "bytes_in", "bytes_out",
                           "request_errors")}
    return LoadBalancerStats(**totals, request_rate=float(rate), members=_members(workers),
                             listeners=listeners)


def _members(workers: tuple[list[dict], ...]) -> dict[str, MemberStats]:
    rows: dict[str, list[dict]] = {}
    for row in (row for found in workers for row in found
                if row.get("svname") not in ("FRONTEND", "BACKEND")):
        rows.setdefault(row["svname"], []).append(row)
    members = {}
    for member_id, seen in rows.items():
        status = MEMBER_STATUS.get((seen[0].get("status") or "").split(" ")[0], "DOWN")
        if status in ("UP", "NO_CHECK") and all(row.get("weight") == "0" for row in seen):
            status = "DRAIN"
        members[member_id] = MemberStats(
            current_sessions=sum(_number(row, "scur") for row in seen),
            total_sessions=sum(_number(row, "stot") for row in seen), status=status)
    return members


def _add(seen: ListenerStats | None, more: ListenerStats) -> ListenerStats:
    if seen is None:
        return more
    return ListenerStats(*(a + b for a, b in zip(astuple(seen), astuple(more), strict=True)))


def purge(prefix: str) -> None:
    """Kill every load balancer process of ``prefix`` and remove its namespace
    (``pocketstack purge``: the data dir, and with it the run dirs, goes next)."""
    for name in netns.list_names(prefix, "lb_ns"):
        haproxy.kill_namespace(name)
        netns.delete(name)
