"""Load benchmark: API latency while many servers are created, and with many instances live.

``python bench/load.py [--servers 1000] [--instances 200] [--skip-fake|--skip-namespace]``

(a) Fake driver: a real ``pocketstack up --driver fake`` (temporary data dir); 50 servers
    first, then ``--servers`` more created through the API by 4 concurrent client
    processes (each server with a NIC on a /20 network made for the run). A probe process
    times ``GET /compute/v2.1/servers/detail?limit=50`` and ``GET
    /identity/v3/auth/catalog`` back to back the whole time: idle before the load, during
    it (first create → every server ACTIVE), and idle after. Figures: probe p50/p95 and
    the during/idle ratio (goal ≤ 2×), create throughput, time to all ACTIVE, RSS.
(b) Namespace driver (root only): ``pocketstack up --driver namespace`` in a test host
    network namespace with a unique prefix (``sk`` + 4 letters), the same probe idle,
    while ``--instances`` instances boot (m1.tiny, no NIC: init + sshd, 4 clients), and
    with all of them running; boot throughput, RSS of the cloud, host memory per
    instance (MemAvailable drop and the instances' cgroups). At the end the cloud is
    stopped and every object of the prefix purged, also after a failure.

Prints a table, then one JSON line. Figures are in ``bench/README.md`` ("Load").
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import string
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import httpx
from boot import HEADERS, Cloud, cgroup_memory, cloud_process, mem_available, ok, prepare

PORTS = {"fake": 18903, "namespace": 18904}
CLIENTS = 4
PROBES = {"servers_detail_50": "/compute/v2.1/servers/detail?limit=50",
          "auth_catalog": "/identity/v3/auth/catalog"}
IDLE_SECONDS = 5.0


# the probe: one process timing the two calls back to back, timestamped


def _probe(base: str, token: str, stop, queue) -> None:
    samples = []
    with httpx.Client(base_url=base, timeout=60,
                      headers={"X-Auth-Token": token, **HEADERS}) as http:
        while not stop.is_set():
            for name, path in PROBES.items():
                started = time.perf_counter()
                ok(http.get(path))
                samples.append((time.monotonic(), name, time.perf_counter() - started))
    queue.put(samples)


class Probe:
    def __init__(self, base: str, token: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.stop, self.queue = context.Event(), context.Queue()
        self.process = context.Process(target=_probe, args=(base, token, self.stop,
                                                            self.queue))
        self.process.start()

    def finish(self) -> list[tuple[float, str, float]]:
        self.stop.set()
        samples = self.queue.get(timeout=120)
        self.process.join(30)
        return samples


def window(samples, start: float, end: float) -> dict:
    """Per probe call: p50/p95 ms and the sample count in ``[start, end)``."""
    result = {}
    for name in PROBES:
        values = sorted(s for t, n, s in samples if n == name and start <= t < end)
        if values:
            result[name] = {"p50_ms": round(statistics.median(values) * 1000, 2),
                            "p95_ms": round(values[max(0, round(len(values) * .95) - 1)]
                                            * 1000, 2), "n": len(values)}
    return result


def ratios(load: dict, idle: dict) -> dict:
    return {name: round(load[name]["p50_ms"] / idle[name]["p50_ms"], 2)
            for name in load if name in idle}


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024, 1)


# creating servers from client processes


def _create(args) -> list[float]:
    base, token, bodies = args
    latencies = []
    with httpx.Client(base_url=base, timeout=120,
                      headers={"X-Auth-Token": token, **HEADERS}) as http:
        for body in bodies:
            started = time.perf_counter()
            ok(http.post("/compute/v2.1/servers", json={"server": body}))
            latencies.append(time.perf_counter() - started)
    return latencies


def create_many(base: str, token: str, bodies: list[dict], clients: int = CLIENTS):
    """Create ``bodies`` through ``clients`` processes; (POST latencies, wall seconds)."""
    shares = [(base, token, bodies[index::clients]) for index in range(clients)]
    started = time.monotonic()
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        latencies = [value for share in pool.map(_create, shares) for value in share]
    return sorted(latencies), time.monotonic() - started


def count_active(http: httpx.Client) -> tuple[int, int]:
    """(ACTIVE, ERROR) servers of the caller's project, paging 1,000 at a time."""
    active = errors = 0
    marker = ""
    while True:
        page = ok(http.get(f"/compute/v2.1/servers/detail?limit=1000{marker}"))["servers"]
        if not page:
            return active, errors
        active += sum(s["status"] == "ACTIVE" for s in page)
        errors += sum(s["status"] == "ERROR" for s in page)
        marker = f"&marker={page[-1]['id']}"


def wait_all_active(http: httpx.Client, total: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while True:
        active, errors = count_active(http)
        if errors:
            raise RuntimeError(f"{errors} servers in ERROR")
        if active >= total:
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{active} of {total} ACTIVE after {timeout} s")
        time.sleep(0.25)


def server_bodies(prefix: str, count: int, image: str, network: str | None) -> list[dict]:
    nics = [{"uuid": network}] if network else "none"
    return [{"name": f"{prefix}-{index}", "imageRef": image, "flavorRef": "1",
             "networks": nics} for index in range(count)]


def percentiles(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(values[max(0, round(len(values) * .95) - 1)] * 1000, 1)}


# (a) the fake driver


def load_fake(servers: int, port: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:  # the stop purges the prefix: a unique one
        cloud = LoadCloud("fake", unique_prefix(), Path(tmp) / "data", port)
        try:
            cloud.start()
            return _load_fake(cloud, servers)
        finally:
            cloud.close()


def _load_fake(cloud: Cloud, servers: int) -> dict:
    ids = prepare(cloud)
    with closing(cloud.client("demo")) as demo:
        network = ok(demo.post("/network/v2.0/networks", json={"network": {
            "name": "load"}}))["network"]["id"]
        ok(demo.post("/network/v2.0/subnets", json={"subnet": {
            "network_id": network, "ip_version": 4, "cidr": "10.64.0.0/20"}}))
        token = demo.headers["X-Auth-Token"]
        print(f"  fake: 50 servers first, then {servers} with {CLIENTS} clients...", flush=True)
        create_many(cloud.base, token, server_bodies("warm", 50, ids["image"], network))
        wait_all_active(demo, 50, 120)
        probe = Probe(cloud.base, token)
        time.sleep(IDLE_SECONDS)
        load_start = time.monotonic()
        latencies, create_wall = create_many(
            cloud.base, token, server_bodies("load", servers, ids["image"], network))
        all_active = wait_all_active(demo, servers + 50, 600)
        time.sleep(IDLE_SECONDS)
        samples = probe.finish()
    idle = window(samples, load_start - IDLE_SECONDS, load_start)
    during = window(samples, load_start, all_active)
    return {"servers": servers, "clients": CLIENTS, "probe_idle": idle,
            "probe_during": during, "probe_idle_after": window(samples, all_active, 1e12),
            "ratio_during_vs_idle": ratios(during, idle), "create_post": percentiles(latencies),
            "creates_per_s": round(servers / create_wall, 1),
            "to_all_active_s": round(all_active - load_start, 1),
            "rss_mib": rss_mib(cloud.process.pid)}


class LoadCloud(Cloud):
    """``bench/boot.py``'s cloud on this benchmark's ports."""

    def __init__(self, driver: str, prefix: str, data_dir: Path, port: int = 0) -> None:
        super().__init__(driver, prefix, data_dir, port or PORTS[driver])

    def close(self) -> None:
        """Stop and purge; the cloud's log is kept as ``/tmp/load-<prefix>-<driver>.log``."""
        if self.log.exists():
            shutil.copy(self.log, f"/tmp/load-{self.prefix}-{self.driver}.log")
        super().close()


# (b) the namespace driver


def unique_prefix(start: str = "sk") -> str:
    return start + "".join(random.choices(string.ascii_lowercase, k=4))


def load_namespace(instances: int, port: int = 0, prefix_start: str = "sk") -> dict:
    prefix = unique_prefix(prefix_start)
    with cloud_process.joined_host_namespace(prefix, "loadhost"):
        cloud = LoadCloud("namespace", prefix, Path(f"/tmp/load-{prefix}"), port)
        try:
            cloud.start()
            return _load_namespace(cloud, instances)
        finally:
            print("  namespace: stopping and purging...", flush=True)
            cloud.close()


def _load_namespace(cloud: Cloud, instances: int) -> dict:
    ids = prepare(cloud)
    with closing(cloud.client("demo")) as demo:
        token = demo.headers["X-Auth-Token"]
        probe = Probe(cloud.base, token)
        time.sleep(IDLE_SECONDS)
        memory_before, rss_before = mem_available(), rss_mib(cloud.process.pid)
        print(f"  namespace: {instances} instances with {CLIENTS} clients...", flush=True)
        load_start = time.monotonic()
        latencies, _ = create_many(
            cloud.base, token, server_bodies("live", instances, ids["image"], None))
        all_active = wait_all_active(demo, instances, 900)
        time.sleep(2 * IDLE_SECONDS)  # settled: sshd started, pages touched
        running = time.monotonic()
        time.sleep(IDLE_SECONDS)
        samples = probe.finish()
        memory_drop = memory_before - mem_available()
    idle = window(samples, load_start - IDLE_SECONDS, load_start)
    booting, live = window(samples, load_start, all_active), window(samples, running, 1e12)
    return {"instances": instances, "clients": CLIENTS, "probe_idle": idle,
            "probe_booting": booting, "probe_all_running": live,
            "ratio_booting_vs_idle": ratios(booting, idle),
            "ratio_running_vs_idle": ratios(live, idle), "create_post": percentiles(latencies),
            "boots_per_s": round(instances / (all_active - load_start), 2),
            "to_all_active_s": round(all_active - load_start, 1),
            "rss_mib_idle": rss_before, "rss_mib_running": rss_mib(cloud.process.pid),
            "memavailable_drop_mib_per_instance": round(memory_drop / instances / 2**20, 2),
            "cgroup_mib_per_instance": round(cgroup_memory(cloud.prefix) / instances / 2**20,
                                             2)}


# report


def print_table(report: dict) -> None:
    print(f"\n{'figure':52} {'servers/detail':>16} {'auth/catalog':>14}")
    for part, rows in (("fake", ("probe_idle", "probe_during", "probe_idle_after")),
                       ("namespace", ("probe_idle", "probe_booting", "probe_all_running"))):
        if part not in report:
            continue
        for row in rows:
            cells = [f"{v['p50_ms']}/{v['p95_ms']}" for v in (
                report[part][row].get(n, {"p50_ms": "-", "p95_ms": "-"}) for n in PROBES)]
            print(f"{part + ' ' + row + ' p50/p95 ms':52} {cells[0]:>16} {cells[1]:>14}")
    for part, keys in (("fake", ("ratio_during_vs_idle", "creates_per_s", "to_all_active_s",
                                 "rss_mib")),
                       ("namespace", ("ratio_booting_vs_idle", "ratio_running_vs_idle",
                                      "boots_per_s", "to_all_active_s", "rss_mib_idle",
                                      "rss_mib_running", "memavailable_drop_mib_per_instance",
                                      "cgroup_mib_per_instance"))):
        for key in keys if part in report else ():
            print(f"{part + ' ' + key:52} {report[part][key]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=1000, help="(a) fake servers")
    parser.add_argument("--instances", type=int, default=200, help="(b) live instances")
    parser.add_argument("--skip-fake", action="store_true")
    parser.add_argument("--skip-namespace", action="store_true")
    parser.add_argument("--port", type=int, default=0,
                        help="the cloud's port (default: 18903 fake, 18904 namespace)")
    parser.add_argument("--prefix-start", default="sk",
                        help="(b) kernel names start with this (1-2 letters) + 4 random ones")
    args = parser.parse_args()
    report = {"cores": os.cpu_count()}
    if not args.skip_fake:
        report["fake"] = load_fake(args.servers, args.port)
    if not args.skip_namespace:
        if os.geteuid() != 0:
            sys.exit("part (b) needs root (real namespace instances); --skip-namespace")
        report["namespace"] = load_namespace(args.instances, args.port, args.prefix_start)
    print_table(report)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
