"""Autoscaling benchmark: scale-out reaction of a scaling group and, in the same run, of the
classic 5-second polling loop; load balancer create → ACTIVE; memory per load balancer.

Run as root: ``python bench/autoscale.py [--lbs 5] [--clients 30]``. Like bench/boot.py it
makes its own test "host" network namespace and a unique prefix, joins that namespace,
runs ``pocketstack up --driver namespace`` there, and at the end stops the cloud, purges
every object of the prefix and deletes the namespace, also after a failure. Needs the web
game's Debian packages (see examples/webgame/README.md) and haproxy.

1. Classic loop (demo project, network ``private``): one PHP server (examples/webgame
   php.sh) with a floating IP is ``$SERVER``; the loop of examples/webgame/README.md runs
   literally in bash with the venv's ``nova``; the load step is ``--clients`` clients
   on ``/slow?ms=500`` (each keeps an Apache worker busy). Reaction = load step → the
   loop's new ``php`` server ACTIVE (polled every 0.1 s through the API).
2. Load balancers: ``--lbs`` of them on the web game's subnet, each create → ACTIVE; the
   memory per load balancer is the RSS and the PSS of the new haproxy processes and the
   host's MemAvailable drop (noisy on a shared machine), divided by the count.
3. Group (the web game's PHP tier, metric loadbalancer_connections, target 10): the same
   load through the load balancer's floating IP, once the cooldown of the group's first
   scale-out is over. Reaction = load step → the scale-out decision (its event), → the
   group's new server ACTIVE, and → its first answer through the load balancer (which
   includes one 500 ms request).
Goals: reaction ≤ 2 s, LB ACTIVE ≤ 1 s, ≤ 20 MB per LB. Prints a table, then a JSON line.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import signal
import statistics
import string
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import boot  # bench/boot.py: the Cloud process helper
import httpx

from pocketstack.demo import userdata
from pocketstack.demo.client import CloudClient, wait_for
from pocketstack.demo.load import Load
from pocketstack.demo.teardown import Teardown
from pocketstack.demo.webgame import LB, Deployer, GroupShape

PORT = 18892
GOALS = {"reaction_s": 2.0, "lb_active_s": 1.0, "lb_mib": 20}
LOOP = Path(__file__).resolve().parents[1] / "examples" / "webgame" / "README.md"


def say(line: str) -> None:
    print(f"  {line}", flush=True)


def classic_loop_script() -> str:
    """The loop exactly as examples/webgame/README.md shows it."""
    text = LOOP.read_text().split("## The classic loop", 1)[1]
    return text.split("```sh\n", 1)[1].split("```", 1)[0]


def php_servers(cloud: CloudClient) -> list[dict]:
    found = cloud.get("compute", "/servers/detail?name=^php$")["servers"]
    return [server for server in found if server["name"] == "php"]


def classic(cloud: CloudClient, dep: Deployer, clients: int) -> dict:
    """The classic loop on ``private``: its reaction to a load step."""
    cloud.post("compute", "/os-keypairs", {"keypair": {"name": "loic"}})
    dep.teardown.push("keypair loic", lambda: cloud.delete("compute", "/os-keypairs/loic"))
    private = cloud.get("network", "/networks?name=private")["networks"][0]["id"]
    group = cloud.get("network", "/security-groups?name=default")["security_groups"][0]["id"]
    cloud.post("network", "/security-group-rules", {"security_group_rule": {
        "security_group_id": group, "direction": "ingress", "ethertype": "IPv4",
        "protocol": "tcp", "port_range_min": 80, "port_range_max": 80,
        "remote_ip_prefix": "0.0.0.0/0"}})
    user_data = userdata.php("127.0.0.1", "127.0.0.1", "unused")
    server = {"name": "php", "imageRef": dep.image(), "flavorRef": dep.flavor(),
              "networks": [{"uuid": private}], "security_groups": [{"name": group}],
              "key_name": "loic", "user_data": base64.b64encode(user_data.encode()).decode()}
    first = cloud.post("compute", "/servers", {"server": server})["server"]["id"]
    dep.teardown.push("php servers", lambda: [dep.delete_server(s["id"])
                                              for s in php_servers(cloud)])
    dep.wait_console(first, "webgame: php ready")
    port = cloud.get("network", f"/ports?device_id={first}")["ports"][0]["id"]
    fip = cloud.post("network", "/floatingips", {"floatingip": {
        "floating_network_id": dep.public_network(), "port_id": port}})["floatingip"]
    dep.teardown.push("classic floating IP",
                      lambda: cloud.delete("network", f"/floatingips/{fip['id']}"))
    site = f"http://{fip['floating_ip_address']}"
    wait_for(lambda: answers(f"{site}/health.php"), 30, "the PHP server through its floating IP")
    env = {**os.environ, "SERVER": fip["floating_ip_address"], "IMAGE_ID": dep.image(),
           "PATH": f"{boot.VENV_BIN}:{os.environ['PATH']}"}
    loop = subprocess.Popen(["bash", "-c", classic_loop_script()], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        time.sleep(6)  # one turn of the loop at rest: it must not boot anything
        load = Load(f"{site}/slow?ms=500", clients, duration=60, think=0)
        load.start()
        wait_for(lambda: sum(s["status"] == "ACTIVE" for s in php_servers(cloud)) >= 2, 60,
                 "the loop's second php server", interval=0.1)
        reaction = time.monotonic() - load.started
    finally:
        os.killpg(loop.pid, signal.SIGTERM)
        loop.wait(10)
    load.join()
    return {"reaction_active_s": round(reaction, 2), "requests": load.result.requests}


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def haproxy_memory_kib() -> tuple[int, int]:
    """(RSS, PSS) summed over every haproxy process: RSS counts the pages a master and
    its worker share twice, PSS splits them."""
    rss = pss = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "haproxy":
                continue
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        fields = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:]}
        rss, pss = rss + fields.get("Rss", 0), pss + fields.get("Pss", 0)
    return rss, pss


def mem_available_kib() -> int:
    with open("/proc/meminfo") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("MemAvailable"))


def load_balancers(cloud: CloudClient, dep: Deployer, count: int) -> dict:
    (rss, pss), available, times = haproxy_memory_kib(), mem_available_kib(), []
    for index in range(count):
        start = time.monotonic()
        lb = cloud.post(LB, "/lbaas/loadbalancers", {"loadbalancer": {
            "name": f"bench-{index}", "vip_subnet_id": dep.game.ids["subnet"]}})["loadbalancer"]
        dep.teardown.push(f"load balancer {lb['id']}", lambda i=lb["id"]: dep.delete_lb(i))
        wait_for(lambda i=lb["id"]: cloud.get(LB, f"/lbaas/loadbalancers/{i}")["loadbalancer"]
                 ["provisioning_status"] == "ACTIVE", 60, "load balancer ACTIVE", interval=0.01)
        times.append(time.monotonic() - start)
    time.sleep(2)
    return {"count": count, "active_p50_s": round(statistics.median(times), 3),
            "active_max_s": round(max(times), 3),
            "rss_mib_each": round((haproxy_memory_kib()[0] - rss) / 1024 / count, 1),
            "pss_mib_each": round((haproxy_memory_kib()[1] - pss) / 1024 / count, 1),
            "memavailable_drop_mib_each": round((available - mem_available_kib()) / 1024
                                                / count, 1)}


def group(cloud: CloudClient, dep: Deployer, clients: int) -> dict:
    dep.load_balancer()
    dep.floating_ip()
    shape = GroupShape(max_size=3)
    dep.group(shape)
    site, group_id = f"http://{dep.game.floating_ip}", dep.game.ids["group"]
    wait_for(lambda: answers(f"{site}/top"), 240, "the game through the load balancer")
    time.sleep(shape.scale_out_cooldown)  # time the reaction, not the first scale-out's cooldown

    def active() -> set[str]:
        servers = cloud.get("autoscaling", f"/groups/{group_id}")["group"]["servers"]
        return {s["name"] for s in servers if s["status"] == "ACTIVE"}
    before = active()
    load = Load(f"{site}/slow?ms=500", clients, duration=60, think=0)
    step = datetime.now(UTC).replace(tzinfo=None)
    load.start()
    wait_for(lambda: active() - before, 60, "the group's new server", interval=0.1)
    reaction = time.monotonic() - load.started
    result = load.join()
    new = [offset for host, offset in result.first_seen.items() if host not in before]
    return {"reaction_decision_s": decision_after(cloud, group_id, step),
            "reaction_active_s": round(reaction, 2),
            "reaction_serving_s": round(min(new), 2) if new else None,
            "requests": result.requests, "failed_requests": result.failed}


def decision_after(cloud: CloudClient, group_id: str, step: datetime) -> float | None:
    """Seconds from ``step`` to the group's first metric-driven scale-out event."""
    events = cloud.get("autoscaling", f"/groups/{group_id}/events?limit=100")["events"]
    times = [datetime.fromisoformat(e["created_at"].rstrip("Z")) for e in events
             if e["action"] == "scale_out" and e["metric"] is not None]
    later = [(t - step).total_seconds() for t in times if t >= step]
    return round(min(later), 2) if later else None


def measure(args, prefix: str) -> dict:
    boot.PORTS["namespace"] = PORT
    cloud_process = boot.Cloud("namespace", prefix, Path(f"/tmp/autoscale-{prefix}"))
    report: dict = {"cores": os.cpu_count(), "clients": args.clients}
    try:
        cloud_process.start()
        os.environ.update(cloud_process.openrc("demo"))
        cloud = CloudClient()
        cloud.login()
        dep = Deployer(cloud, Teardown(say), say)
        try:
            print("classic loop...", flush=True)
            report["classic"] = classic(cloud, dep, args.clients)
            dep.network()
            dep.security_group()
            dep.keypair()
            dep.databases()
            print("load balancers...", flush=True)
            report["load_balancers"] = load_balancers(cloud, dep, args.lbs)
            print("scaling group...", flush=True)
            report["group"] = group(cloud, dep, args.clients)
        finally:
            dep.teardown.run()
    finally:
        cloud_process.close()
    return report


def print_table(report: dict) -> None:
    lbs, classic_row, group_row = report["load_balancers"], report["classic"], report["group"]
    rows = [
        ("group: load step → scale-out decision", group_row["reaction_decision_s"], ""),
        ("group: load step → new server ACTIVE", group_row["reaction_active_s"], "≤ 2 s"),
        ("group: load step → new server's first answer", group_row["reaction_serving_s"], ""),
        ("classic loop: load step → new server ACTIVE", classic_row["reaction_active_s"],
         "baseline"),
        ("LB create → ACTIVE p50 / max",
         f"{lbs['active_p50_s']} / {lbs['active_max_s']}", "≤ 1 s"),
        ("memory per LB: haproxy RSS / PSS / MemAvailable drop MiB",
         f"{lbs['rss_mib_each']} / {lbs['pss_mib_each']} / {lbs['memavailable_drop_mib_each']}",
         "≤ 20 MB")]
    for name, value, goal in rows:
        print(f"{name:52} {value!s:>14} {goal:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lbs", type=int, default=5, help="load balancers to create")
    parser.add_argument("--clients", type=int, default=30, help="clients of the load step")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/autoscale.py needs root (it runs real namespace instances)")
    prefix = "a" + "".join(random.choices(string.ascii_lowercase, k=4))
    with boot.cloud_process.joined_host_namespace(prefix, "benchhost"):
        report = measure(args, prefix)
    print_table(report)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
