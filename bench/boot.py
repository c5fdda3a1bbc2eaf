"""Real-instances benchmark: boot, reach and delete namespace instances through the API.

Run as root: ``python bench/boot.py [--servers 50] [--max-idle 300]``. It makes its own
test "host" network namespace and a unique prefix, joins that namespace (so the clouds'
bridges, 172.24.4.1 and every client socket live there), and at the end stops the clouds,
purges every object of the prefix and deletes the namespace, also after a failure.

Measured, for ``--servers`` servers on ``private`` created sequentially, then with 4
concurrent clients (threads, one HTTP connection each):
  * create → ACTIVE (POST until GET shows ACTIVE, polled every 10 ms);
  * create → the floating IP's status ACTIVE, and create → TCP-reachable through it
    (user-data starts a listener on 8080, a security group opens it; the floating IP is
    associated as soon as the port exists; a connect attempt times out after 0.2 s);
  * delete → gone (DELETE until GET answers 404).
Then a bounded ramp of idle instances (no NIC, default image: init + sshd), in batches,
until ``--max-idle``, or a batch's create → ACTIVE p95 over 5 s, or MemAvailable under
2 GiB: the count reached, why it stopped, and memory per idle instance (the cgroups'
memory usage / count, and the host's MemAvailable drop / count).

Baselines from the same run, for ratios: the same API on the fake driver (create →
ACTIVE, delete → gone), a bare ``netns + veth`` create from ``host/``, and the RSS of an
idle ``python3 -S`` process (an instance's init is one). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import httpx

from pocketstack.cli import auth
from pocketstack.host import cgroups, links, names, netns

# The cloud-process harness is shared with the tests: run as a script, bench/ is on the
# path but the repository root (the ``tests`` package) is not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.harness import cloud_process

VENV_BIN = cloud_process.VENV_BIN
PORTS = {"namespace": 18822, "fake": 18823}
HEADERS = {"OpenStack-API-Version": "compute 2.37", "X-OpenStack-Nova-API-Version": "2.37"}
LISTEN_PORT = 8080
POLL = 0.01
GOALS = {"active_p50_ms": 100, "active_p95_ms": 250, "reachable_p50_ms": 300,
         "delete_p50_ms": 100, "idle_instances": 1000}


def listener_script() -> str:
    if shutil.which("socat"):
        serve = f"exec socat TCP-LISTEN:{LISTEN_PORT},fork,reuseaddr SYSTEM:'echo ok'"
    else:
        serve = f"cd /tmp && exec python3 -m http.server {LISTEN_PORT}"
    return f"#!/bin/sh\n{serve}\n"


class Cloud(cloud_process.UpProcess):
    """One ``pocketstack up`` in this thread's (host) network namespace; ``close()``
    purges the prefix and removes the data dir and the log."""

    STOP_TIMEOUT = 60.0  # a cloud with hundreds of instances takes a while to stop

    def __init__(self, driver: str, prefix: str, data_dir: Path, port: int = 0) -> None:
        super().__init__(data_dir, port or PORTS[driver], driver=driver, prefix=prefix,
                         log=Path(f"{data_dir}.log"))
        self.base = self.url

    def close(self) -> None:
        super().close()
        self.log.unlink(missing_ok=True)

    def client(self, user: str) -> httpx.Client:
        """A client logged in as ``user`` (project ``user``), with ``project_id``."""
        http = httpx.Client(base_url=self.base, timeout=60)
        login = auth.log_in(http, self.openrc(user))
        http.headers.update({"X-Auth-Token": login.token, **HEADERS})
        http.project_id = login.project_id
        return http


def ok(response: httpx.Response) -> dict:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url}: "
                           f"{response.status_code} {response.text}")
    return response.json() if response.content else {}


def prepare(cloud: Cloud) -> dict:
    """Unlimited quotas for demo; ids of the image, ``private``, ``public``; a security
    group opening the listener."""
    with closing(cloud.client("admin")) as admin, closing(cloud.client("demo")) as demo:
        project = demo.project_id
        ok(admin.put(f"/compute/v2.1/os-quota-sets/{project}", json={"quota_set": {
            "instances": -1, "cores": -1, "ram": -1}}))
        ok(admin.put(f"/network/v2.0/quotas/{project}", json={"quota": {
            "port": -1, "floatingip": -1, "security_group_rule": -1}}))
        net = {n["name"]: n["id"] for n in ok(demo.get("/network/v2.0/networks"))["networks"]}
        group = ok(demo.post("/network/v2.0/security-groups", json={"security_group": {
            "name": "bench"}}))["security_group"]["id"]
        ok(demo.post("/network/v2.0/security-group-rules", json={"security_group_rule": {
            "security_group_id": group, "direction": "ingress", "protocol": "tcp",
            "port_range_min": LISTEN_PORT, "port_range_max": LISTEN_PORT}}))
        image = ok(demo.get("/image/v2/images?name=base"))["images"][0]["id"]
    return {"image": image, "private": net.get("private"), "public": net.get("public")}


def wait_for(check, timeout: float = 60.0, step: float | None = None):
    deadline, step = time.monotonic() + timeout, step or POLL
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError("timed out")
        time.sleep(step)
    return result


def status_of(http: httpx.Client, server_id: str) -> str:
    response = http.get(f"/compute/v2.1/servers/{server_id}")
    if response.status_code == 404:
        return "GONE"
    status = ok(response)["server"]["status"]
    if status == "ERROR":
        raise RuntimeError(f"server {server_id}: {response.json()['server'].get('fault')}")
    return status


def tcp_ok(address: str) -> bool:
    try:
        with socket.create_connection((address, LISTEN_PORT), timeout=0.2):
            return True
    except OSError:
        return False


def one_server(http: httpx.Client, ids: dict, name: str, reach: bool) -> dict:
    """Create one server (timed to ACTIVE and, with ``reach``, to TCP through a floating
    IP), then delete it (timed to gone) and release its floating IP."""
    server = {"name": name, "imageRef": ids["image"], "flavorRef": "1"}
    if reach:
        server.update(networks=[{"uuid": ids["private"]}], security_groups=[{"name": "bench"}],
                      user_data=base64.b64encode(listener_script().encode()).decode())
    else:
        server["networks"] = "none"
    start = time.perf_counter()
    server_id = ok(http.post("/compute/v2.1/servers", json={"server": server}))["server"]["id"]
    figures, fip = {}, None
    if reach:
        port = wait_for(lambda: ok(http.get(f"/network/v2.0/ports?device_id={server_id}"))
                        ["ports"])[0]["id"]
        fip = ok(http.post("/network/v2.0/floatingips", json={"floatingip": {
            "floating_network_id": ids["public"], "port_id": port}}))["floatingip"]
    wait_for(lambda: status_of(http, server_id) == "ACTIVE")
    figures["active"] = time.perf_counter() - start
    if reach:
        wait_for(lambda: ok(http.get(f"/network/v2.0/floatingips/{fip['id']}"))
                 ["floatingip"]["status"] == "ACTIVE", timeout=30)
        figures["fip_active"] = time.perf_counter() - start
        wait_for(lambda: tcp_ok(fip["floating_ip_address"]), timeout=30)
        figures["reachable"] = time.perf_counter() - start
    start = time.perf_counter()
    ok(http.delete(f"/compute/v2.1/servers/{server_id}"))
    wait_for(lambda: status_of(http, server_id) == "GONE")
    figures["delete"] = time.perf_counter() - start
    if fip:
        ok(http.delete(f"/network/v2.0/floatingips/{fip['id']}"))
    return figures


def run_servers(cloud: Cloud, ids: dict, count: int, clients: int, reach: bool) -> dict:
    """``count`` servers through ``clients`` concurrent clients: p50/p95 of each figure."""
    lock, results = threading.Lock(), []
    names_left = [f"bench-{clients}c-{index}" for index in range(count)]

    def worker() -> None:
        with closing(cloud.client("demo")) as http:
            while True:
                with lock:
                    if not names_left:
                        return
                    name = names_left.pop()
                figures = one_server(http, ids, name, reach)
                with lock:
                    results.append(figures)

    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    return {key: percentiles([r[key] for r in results]) for key in results[0]}


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(p95 * 1000, 1), "n": len(ordered)}


def mem_available() -> int:
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def cgroup_memory(prefix: str) -> int:
    total = 0
    for name in names.owned(prefix, cgroups.list_names(prefix), "cgroup"):
        base = cgroups._dir_for("memory", name)
        for leaf in ("memory.usage_in_bytes", "memory.current"):
            try:
                total += int(Path(base, leaf).read_text())
                break
            except (FileNotFoundError, ValueError):
                continue
    return total


def ramp(cloud: Cloud, ids: dict, max_idle: int, batch: int) -> dict:
    """Boot idle instances (no NIC) in batches of ``batch`` (4 clients) until a limit."""
    before, count, reason, last = mem_available(), 0, f"reached --max-idle {max_idle}", {}
    server = {"imageRef": ids["image"], "flavorRef": "1", "networks": "none"}
    with closing(cloud.client("demo")) as http:
        def boot(index: int) -> float:
            start = time.perf_counter()
            body = {"server": {**server, "name": f"idle-{index}"}}
            server_id = ok(http.post("/compute/v2.1/servers", json=body))["server"]["id"]
            wait_for(lambda: status_of(http, server_id) == "ACTIVE", timeout=120, step=0.05)
            return time.perf_counter() - start

        with ThreadPoolExecutor(4) as pool:
            while count < max_idle:
                size = min(batch, max_idle - count)
                try:
                    last = percentiles(list(pool.map(boot, range(count, count + size))))
                except (RuntimeError, TimeoutError) as error:
                    reason = f"a boot failed: {str(error)[:200]}"
                    break
                count += size
                print(f"  ramp: {count} idle, batch create->ACTIVE p50 {last['p50_ms']} ms "
                      f"p95 {last['p95_ms']} ms, MemAvailable "
                      f"{mem_available() / 2**30:.1f} GiB", flush=True)
                if last["p95_ms"] > 5000:
                    reason = "batch create->ACTIVE p95 over 5 s"
                    break
                if mem_available() < 2 * 2**30:
                    reason = "MemAvailable under 2 GiB"
                    break
        time.sleep(2)  # let the last instances settle (sshd started, pages touched)
    used = cgroup_memory(cloud.prefix)
    return {"idle_instances": count, "stopped_because": reason, "last_batch": last,
            "cgroup_mib_per_instance": round(used / max(count, 1) / 2**20, 2),
            "memavailable_drop_mib_per_instance":
                round((before - mem_available()) / max(count, 1) / 2**20, 2)}


def bare_netns_veth(prefix: str, rounds: int = 20) -> dict:
    """Baseline: a namespace with a port (veth on a bridge, address, default route) made,
    then removed, with the same ``host/`` calls the drivers use."""
    bridge = names.kernel_name(prefix, "bridge", "barebrdg")
    links.ensure_bridge(bridge)
    created, deleted = [], []
    try:
        for index in range(rounds):
            ns = names.kernel_name(prefix, "instance_ns", f"bare{index:04d}")
            port = names.kernel_name(prefix, "port", f"bare{index:04d}")
            start = time.perf_counter()
            netns.create(ns)
            links.ensure_port(port, bridge, ns, cidrs=[f"10.9.0.{index + 2}/24"],
                              gateway="10.9.0.1")
            created.append(time.perf_counter() - start)
            start = time.perf_counter()
            links.delete_link(port)
            netns.delete(ns)
            deleted.append(time.perf_counter() - start)
    finally:
        links.delete_link(bridge)
    return {"create": percentiles(created), "delete": percentiles(deleted)}


def idle_python_rss_mib() -> float:
    """Baseline: RSS of an idle ``/usr/bin/python3 -S`` (an instance's init is one)."""
    process = subprocess.Popen(["/usr/bin/python3", "-S", "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.5)
        status = Path(f"/proc/{process.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024
    finally:
        process.kill()
        process.wait()


def ratio(value: float, base: float) -> float:
    return round(value / base, 1) if base else 0.0


def measure(args, prefix: str, host_ns: str) -> dict:
    report: dict = {"servers": args.servers, "cores": os.cpu_count(), "poll_ms": args.poll_ms,
                    "mem_total_gib": round(os.sysconf("SC_PHYS_PAGES")
                                           * os.sysconf("SC_PAGE_SIZE") / 2**30, 1),
                    "listener": listener_script().splitlines()[1]}
    fake = Cloud("fake", prefix, Path(f"/tmp/boot-{prefix}-fake"))
    try:
        fake.start()
        ids = prepare(fake)
        report["baseline_fake"] = run_servers(fake, ids, args.servers, 1, reach=False)
    finally:
        fake.close()
    report["baseline_bare_netns_veth"] = bare_netns_veth(prefix)
    report["baseline_idle_python_rss_mib"] = round(idle_python_rss_mib(), 1)
    real = Cloud("namespace", prefix, Path(f"/tmp/boot-{prefix}"))
    try:
        real.start()
        ids = prepare(real)
        for clients in (1, 4):
            print(f"  {args.servers} servers, {clients} client(s)...", flush=True)
            report[f"real_{clients}c"] = run_servers(real, ids, args.servers, clients, True)
        report["ramp"] = ramp(real, ids, args.max_idle, args.batch)
    finally:
        real.close()
    base = report["baseline_fake"]
    for clients in (1, 4):
        row = report[f"real_{clients}c"]
        row["ratios_vs_fake_p50"] = {
            "active": ratio(row["active"]["p50_ms"], base["active"]["p50_ms"]),
            "reachable": ratio(row["reachable"]["p50_ms"], base["active"]["p50_ms"]),
            "delete": ratio(row["delete"]["p50_ms"], base["delete"]["p50_ms"])}
        row["ratio_active_vs_bare_netns_veth_p50"] = ratio(
            row["active"]["p50_ms"], report["baseline_bare_netns_veth"]["create"]["p50_ms"])
    report["ramp"]["cgroup_mem_vs_idle_python"] = ratio(
        report["ramp"]["cgroup_mib_per_instance"], report["baseline_idle_python_rss_mib"])
    return report


def print_table(report: dict) -> None:
    fake, bare = report["baseline_fake"], report["baseline_bare_netns_veth"]
    print(f"\nmachine: {report['cores']} cores, {report['mem_total_gib']} GiB; "
          f"{report['servers']} servers per run; listener: {report['listener']}")
    print(f"{'figure':34} {'p50 ms':>8} {'p95 ms':>8} {'x fake':>7} {'x bare':>7} {'goal':>12}")
    for clients in (1, 4):
        row = report[f"real_{clients}c"]
        for key, goal in (("active", "50<=100/95<=250"), ("fip_active", ""),
                          ("reachable", "<=300"), ("delete", "<=100")):
            base = fake["delete" if key == "delete" else "active"]["p50_ms"]
            bare_base = bare["delete" if key == "delete" else "create"]["p50_ms"]
            print(f"{key + f' ({clients} client(s))':34} {row[key]['p50_ms']:8} "
                  f"{row[key]['p95_ms']:8} {ratio(row[key]['p50_ms'], base):7} "
                  f"{ratio(row[key]['p50_ms'], bare_base):7} {goal:>12}")
    for key in ("active", "delete"):
        print(f"{'baseline fake ' + key:34} {fake[key]['p50_ms']:8} {fake[key]['p95_ms']:8}")
    for key in ("create", "delete"):
        print(f"{'baseline bare netns+veth ' + key:34} {bare[key]['p50_ms']:8} "
              f"{bare[key]['p95_ms']:8}")
    ramp = report["ramp"]
    print(f"idle instances: {ramp['idle_instances']} (goal 1000, "
          f"x{ratio(ramp['idle_instances'], GOALS['idle_instances'])}); stopped: "
          f"{ramp['stopped_because']}")
    print(f"memory per idle instance: cgroups {ramp['cgroup_mib_per_instance']} MiB "
          f"(x{ramp['cgroup_mem_vs_idle_python']} an idle python3 -S: "
          f"{report['baseline_idle_python_rss_mib']} MiB), MemAvailable drop "
          f"{ramp['memavailable_drop_mib_per_instance']} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=50)
    parser.add_argument("--max-idle", type=int, default=300)
    parser.add_argument("--batch", type=int, default=50, help="ramp batch size")
    parser.add_argument("--poll-ms", type=float, default=10, help="status polling interval")
    parser.add_argument("--prefix-start", default="b",
                        help="kernel names start with this (1-2 letters) + 4 random ones")
    args = parser.parse_args()
    global POLL
    POLL = args.poll_ms / 1000
    if os.geteuid() != 0:
        sys.exit("bench/boot.py needs root (it runs real namespace instances)")
    prefix = args.prefix_start + "".join(random.choices(string.ascii_lowercase, k=4))
    with cloud_process.joined_host_namespace(prefix, "benchhost") as host_ns:
        report = measure(args, prefix, host_ns)
    print_table(report)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
