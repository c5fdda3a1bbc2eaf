"""API benchmark: latency and throughput of the calls every client makes, and memory.

Starts a real ``pocketstack up --driver fake`` on a free port with a temporary data dir,
creates 100 servers, then measures each call with 1 and 4 concurrent clients (separate
processes, keep-alive connections). Every figure is also given as a ratio to a baseline
measured in the same run: ``GET /`` (the cheapest route through the same server stack),
so runs on different machines compare, and with the server's CPU time per request
(``cpu_ms``, from /proc: robust when other jobs share the cores, unlike latencies).
Usage: ``python bench/api.py [--seconds 3]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SERVERS = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_cloud(data_dir: Path, port: int) -> tuple[subprocess.Popen, float]:
    exe = Path(sys.executable).with_name("pocketstack")
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(exe), "up", "--driver", "fake", "--listen", f"127.0.0.1:{port}",
         "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    for line in proc.stdout:
        if "is ready" in line:
            return proc, time.monotonic() - started
    raise RuntimeError("pocketstack did not become ready")


def read_openrc(path: Path) -> dict[str, str]:
    found = re.findall(r"^export (\w+)=(.*)$", path.read_text(), re.MULTILINE)
    return dict(found)


def password_body(env: dict[str, str]) -> dict:
    return {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": env["OS_USERNAME"], "domain": {"name": "Default"},
            "password": env["OS_PASSWORD"]}}},
        "scope": {"project": {"name": env["OS_PROJECT_NAME"], "domain": {"name": "Default"}}},
    }}


def prepare(base: str, env: dict[str, str]) -> str:
    """An admin token, with ``SERVERS`` servers and quota for them in the admin project."""
    with httpx.Client(base_url=base, timeout=60) as http:
        response = http.post("/identity/v3/auth/tokens", json=password_body(env))
        token = response.headers["X-Subject-Token"]
        project = response.json()["token"]["project"]["id"]
        headers = {"X-Auth-Token": token}
        http.put(f"/compute/v2.1/os-quota-sets/{project}", headers=headers, json={
            "quota_set": {"instances": -1, "cores": -1, "ram": -1}}).raise_for_status()
        image = http.get("/image/v2/images?name=base", headers=headers).json()["images"][0]["id"]
        no_nic = {**headers, "OpenStack-API-Version": "compute 2.37"}
        for index in range(SERVERS):
            http.post("/compute/v2.1/servers", headers=no_nic, json={"server": {
                "name": f"bench-{index}", "imageRef": image, "flavorRef": "1", "networks": "none",
            }}).raise_for_status()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            servers = http.get("/compute/v2.1/servers/detail?status=ACTIVE",
                               headers=headers).json()["servers"]
            if len(servers) >= SERVERS:
                break
            time.sleep(0.2)
        return token


def _worker(args) -> list[float]:
    base, method, path, headers, body, seconds = args
    latencies = []
    with httpx.Client(base_url=base, timeout=30) as http:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = http.request(method, path, headers=headers, json=body)
            latencies.append(time.perf_counter() - started)
            if response.status_code >= 400:
                raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
    return latencies


def measure(pool, base, method, path, headers, body, clients, seconds, pid) -> dict:
    jobs = [(base, method, path, headers, body, seconds)] * clients
    cpu_before = cpu_seconds(pid)
    results = pool.map(_worker, jobs[:clients])
    cpu = cpu_seconds(pid) - cpu_before
    latencies = sorted(value for result in results for value in result)
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
        "rps": round(len(latencies) / seconds, 1),
        "cpu_ms": round(cpu * 1000 / len(latencies), 3),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server process has used: per request it hardly
    depends on what else the machine runs, unlike latencies (``cpu_ms``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc, ready_seconds = start_cloud(Path(tmp) / "data", port)
        try:
            env = read_openrc(Path(tmp) / "data" / "openrc.admin")
            token = prepare(base, env)
            auth = {"X-Auth-Token": token}
            calls = {
                "baseline GET /": ("GET", "/", {}, None),
                "token issue": ("POST", "/identity/v3/auth/tokens", {}, password_body(env)),
                "GET /v3/auth/catalog": ("GET", "/identity/v3/auth/catalog", auth, None),
                "GET /v2.1/flavors/detail": ("GET", "/compute/v2.1/flavors/detail", auth, None),
                f"GET /v2.1/servers/detail ({SERVERS})": (
                    "GET", "/compute/v2.1/servers/detail", auth, None),
                "GET /v2/images": ("GET", "/image/v2/images", auth, None),
            }
            report = {"up_to_ready_s": round(ready_seconds, 2), "calls": {}}
            with multiprocessing.get_context("spawn").Pool(4) as pool:
                for name, (method, path, headers, body) in calls.items():
                    row = {}
                    for clients in (1, 4):
                        row[f"{clients}c"] = measure(pool, base, method, path, headers, body,
                                                     clients, args.seconds, proc.pid)
                    report["calls"][name] = row
            baseline = report["calls"]["baseline GET /"]
            for row in report["calls"].values():
                for clients, figures in row.items():
                    figures["p50_vs_baseline"] = round(
                        figures["p50_ms"] / baseline[clients]["p50_ms"], 1)
                    figures["cpu_vs_baseline"] = round(
                        figures["cpu_ms"] / max(baseline[clients]["cpu_ms"], 0.001), 1)
            report["rss_mb"] = round(rss_mb(proc.pid), 1)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
    print_table(report)
    print(json.dumps(report))


def print_table(report: dict) -> None:
    print(f"up to ready: {report['up_to_ready_s']} s   RSS after the run: {report['rss_mb']} MB")
    print(f"{'call':38} {'p50 1c':>8} {'p95 1c':>8} {'rps 1c':>8} {'p50 4c':>8} "
          f"{'p95 4c':>8} {'rps 4c':>8} {'x base':>7} {'cpu ms':>7} {'x base':>7}")
    for name, row in report["calls"].items():
        one, four = row["1c"], row["4c"]
        print(f"{name:38} {one['p50_ms']:8} {one['p95_ms']:8} {one['rps']:8} "
              f"{four['p50_ms']:8} {four['p95_ms']:8} {four['rps']:8} {one['p50_vs_baseline']:7} "
              f"{one['cpu_ms']:7} {one['cpu_vs_baseline']:7}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
