"""A load balancer in front of two real instances (namespace + linux + haproxy drivers, the
cloud in this process inside a test host namespace): round robin seen from a client
instance, a slow request that survives the removal of its member (a seamless reload), a
health monitor that marks a stopped member down, the VIP reached through a floating IP
from the host namespace, and nothing left after the load balancer is deleted."""

from __future__ import annotations

import base64
import os
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pocketstack.host import haproxy, instance, names, netns
from tests.harness.api import logged_in
from tests.integration.cloud import namespace_cloud

pytestmark = pytest.mark.root

N, C, L = "/network/v2.0", "/compute/v2.1", "/load-balancer/v2/lbaas"
HEADERS = {"OpenStack-API-Version": "compute 2.37", "X-OpenStack-Nova-API-Version": "2.37"}
API_PORT = 18831
WEB = """#!/bin/sh
cat > /tmp/web.py <<'PY'
import http.server, socket, socketserver, time
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/slow"):
            time.sleep(3)
        body = (socket.gethostname() + "\\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = daemon_threads = True
Server(("0.0.0.0", 8000), Handler).serve_forever()
PY
exec python3 /tmp/web.py
"""
FETCH = ("python3 -c 'import sys, urllib.request; "
         "print(urllib.request.urlopen(sys.argv[1], timeout=15).read().decode().strip())' ")


@pytest.fixture
def cloud(prefix):
    with namespace_cloud(prefix, Path(f"/tmp/lbi-{prefix}"), API_PORT) as pair:
        yield pair


def api(deployment) -> TestClient:
    return logged_in(deployment, headers=HEADERS)


def ok(response, status=(200, 201, 202, 204)):
    assert response.status_code in status, response.text
    return response.json() if response.content else None


def wait_for(predicate, timeout: float, what: str, interval: float = 0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def boot(demo, name: str, network_id: str, user_data: str | None = None) -> str:
    image = ok(demo.get("/image/v2/images"))["images"][0]["id"]
    server = {"name": name, "imageRef": image, "flavorRef": "1",
              "networks": [{"uuid": network_id}]}
    if user_data:
        server["user_data"] = base64.b64encode(user_data.encode()).decode()
    return ok(demo.post(f"{C}/servers", json={"server": server}))["server"]["id"]


def address_of(demo, server_id: str) -> str:
    def active():
        server = ok(demo.get(f"{C}/servers/{server_id}"))["server"]
        assert server["status"] != "ERROR", server
        return server if server["status"] == "ACTIVE" else None

    return wait_for(active, 60, f"server {server_id}")["addresses"]["private"][0]["addr"]


def inside(deployment, server_id: str, script: str, timeout: float = 30):
    driver = deployment.cloud.compute_driver
    return instance.execute(driver._dir(server_id), ["sh", "-c", script], timeout=timeout)


def fetch(deployment, server_id: str, url: str) -> str:
    result = inside(deployment, server_id, FETCH + url)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip()


def lb_status(demo, lb_id: str) -> str:
    return ok(demo.get(f"{L}/loadbalancers/{lb_id}"))["loadbalancer"]["provisioning_status"]


def settled(demo, lb_id: str, timeout: float = 10) -> None:
    wait_for(lambda: lb_status(demo, lb_id) == "ACTIVE", timeout, f"{lb_id} ACTIVE")


def make(demo, lb_id: str, collection: str, key: str, **fields) -> dict:
    made = ok(demo.post(f"{L}/{collection}", json={key: fields}))[key]
    settled(demo, lb_id)
    return made


def rss_kib(pids: list[int]) -> tuple[int, int]:
    """(RSS, PSS) in KiB summed over ``pids``."""
    rss = pss = 0
    for pid in pids:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
    return rss, pss


def test_load_balancer_in_front_of_two_instances(cloud, prefix):
    deployment, host = cloud
    demo = api(deployment)
    private = ok(demo.get(f"{N}/networks?name=private"))["networks"][0]
    subnet_id = private["subnets"][0]
    group = ok(demo.get(f"{N}/security-groups?name=default"))["security_groups"][0]["id"]
    ok(demo.post(f"{N}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group, "direction": "ingress", "protocol": "tcp",
        "port_range_min": 8000, "port_range_max": 8000, "remote_ip_prefix": "0.0.0.0/0"}}))
    servers = {name: boot(demo, name, private["id"], WEB) for name in ("web1", "web2")}
    probe = boot(demo, "probe", private["id"])
    addresses = {name: address_of(demo, sid) for name, sid in servers.items()}
    address_of(demo, probe)

    start = time.monotonic()
    lb = ok(demo.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "name": "web-lb", "vip_subnet_id": subnet_id}}))["loadbalancer"]
    settled(demo, lb["id"])
    create_to_active = time.monotonic() - start
    listener = make(demo, lb["id"], "listeners", "listener", loadbalancer_id=lb["id"],
                    protocol="HTTP", protocol_port=80)
    pool = make(demo, lb["id"], "pools", "pool", listener_id=listener["id"], protocol="HTTP",
                lb_algorithm="ROUND_ROBIN")
    members = {name: make(demo, lb["id"], f"pools/{pool['id']}/members", "member",
                          address=addresses[name], protocol_port=8000)
               for name in ("web1", "web2")}

    # round robin, seen from an instance on the tenant network
    vip = f"http://{lb['vip_address']}/"
    answers = [fetch(deployment, probe, vip) for _ in range(4)]
    assert sorted(answers) == ["web1", "web1", "web2", "web2"], answers
    assert answers[0] != answers[1]

    # a slow request in flight survives the removal of its member (a seamless reload)
    slow: dict = {}
    thread = threading.Thread(target=lambda: slow.update(
        answer=fetch(deployment, probe, vip + "slow")))
    thread.start()
    stats = deployment.cloud.loadbalancer_driver.stats
    busy = wait_for(lambda: next((name for name, m in members.items()
                                  if stats(lb["id"]).members.get(m["id"])
                                  and stats(lb["id"]).members[m["id"]].current_sessions),
                                 None), 5, "the slow request to reach a member")
    ok(demo.delete(f"{L}/pools/{pool['id']}/members/{members[busy]['id']}"))
    settled(demo, lb["id"])
    thread.join(15)
    assert slow.get("answer") == busy
    other = next(name for name in members if name != busy)
    assert {fetch(deployment, probe, vip) for _ in range(3)} == {other}

    # a health monitor marks a stopped member down
    members[busy] = make(demo, lb["id"], f"pools/{pool['id']}/members", "member",
                         address=addresses[busy], protocol_port=8000)
    make(demo, lb["id"], "healthmonitors", "healthmonitor", pool_id=pool["id"], type="HTTP",
         delay=1, timeout=1, max_retries=1, max_retries_down=1)

    def member_status(name: str) -> str:
        return ok(demo.get(f"{L}/pools/{pool['id']}/members/{members[name]['id']}"))[
            "member"]["operating_status"]

    wait_for(lambda: {member_status(n) for n in members} == {"ONLINE"}, 15, "members ONLINE",
             interval=0.2)
    inside(deployment, servers["web1"], "pkill -f /tmp/web.py")
    wait_for(lambda: member_status("web1") == "ERROR", 15, "web1 DOWN", interval=0.2)
    assert member_status("web2") == "ONLINE"
    shown = ok(demo.get(f"{L}/loadbalancers/{lb['id']}"))["loadbalancer"]
    assert shown["operating_status"] == "DEGRADED"

    # the VIP through a floating IP, from the host namespace
    public = ok(demo.get(f"{N}/networks?name=public"))["networks"][0]["id"]
    fip = ok(demo.post(f"{N}/floatingips", json={"floatingip": {
        "floating_network_id": public, "port_id": lb["vip_port_id"]}}))["floatingip"]
    url = f"http://{fip['floating_ip_address']}/"
    answer = wait_for(lambda: _get_from(host, url), 10, "the VIP through its floating IP",
                      interval=0.1)
    assert answer == "web2"

    # figures: create → ACTIVE, memory of the load balancer's processes
    run_dir = os.path.join(deployment.cloud.settings.data_dir, "loadbalancers", lb["id"])
    master = haproxy.master_pid(run_dir)
    with open(f"/proc/{master}/task/{master}/children") as handle:
        pids = [master, *map(int, handle.read().split())]
    rss, pss = rss_kib(pids)
    print(f"\nload balancer create → ACTIVE {create_to_active * 1000:.0f} ms; "
          f"HAProxy RSS {rss / 1024:.1f} MiB, PSS {pss / 1024:.1f} MiB ({len(pids)} processes)")
    assert create_to_active < 1.0
    assert pss < 20 * 1024

    # deleting it leaves nothing on the host
    ok(demo.delete(f"{L}/loadbalancers/{lb['id']}?cascade=true"))
    wait_for(lambda: demo.get(f"{L}/loadbalancers/{lb['id']}").status_code == 404, 10,
             "the load balancer to go")
    assert not netns.exists(names.kernel_name(prefix, "lb_ns", lb["id"]))
    assert haproxy.master_pid(run_dir) is None and not os.path.exists(run_dir)
    assert demo.get(f"{N}/ports/{lb['vip_port_id']}").status_code == 404


def _get_from(ns: str, url: str) -> str | None:
    def get() -> str | None:
        try:
            return urllib.request.urlopen(url, timeout=1).read().decode().strip()
        except OSError:
            return None

    return netns.call(ns, get)
