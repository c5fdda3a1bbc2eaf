"""Load balancers with the stock `openstack loadbalancer` commands (python-octaviaclient)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.compat


def make_subnet(cloud) -> dict:
    cloud.openstack("network", "create", "web-net")
    return cloud.openstack("subnet", "create", "--network", "web-net", "--subnet-range",
                           "10.7.0.0/24", "web-subnet")


def test_a_whole_load_balancer_from_the_cli(cloud):
    subnet = make_subnet(cloud)
    lb = cloud.openstack("loadbalancer", "create", "--name", "web-lb", "--vip-subnet-id",
                         "web-subnet", "--wait")
    assert (lb["provisioning_status"], lb["operating_status"]) == ("ACTIVE", "ONLINE")
    assert lb["vip_subnet_id"] == subnet["id"] and lb["provider"] == "haproxy"
    listener = cloud.openstack("loadbalancer", "listener", "create", "--name", "web",
                               "--protocol", "HTTP", "--protocol-port", "80", "web-lb", "--wait")
    pool = cloud.openstack("loadbalancer", "pool", "create", "--name", "php", "--listener",
                           "web", "--protocol", "HTTP", "--lb-algorithm", "ROUND_ROBIN", "--wait")
    for n, address in enumerate(("10.7.0.11", "10.7.0.12")):
        cloud.openstack("loadbalancer", "member", "create", "--name", f"php-{n}", "--address",
                        address, "--protocol-port", "8000", "--subnet-id", "web-subnet", "php",
                        "--wait")
    monitor = cloud.openstack("loadbalancer", "healthmonitor", "create", "--name", "alive",
                              "--delay", "5", "--timeout", "3", "--max-retries", "3",
                              "--type", "HTTP", "--url-path", "/health", "php", "--wait")
    assert monitor["provisioning_status"] == "ACTIVE"

    shown = cloud.openstack("loadbalancer", "listener", "show", "web")
    assert shown["default_pool_id"] == pool["id"] and shown["protocol_port"] == 80
    assert listener["id"] == shown["id"]
    members = cloud.openstack("loadbalancer", "member", "list", "php")
    assert sorted(m["address"] for m in members) == ["10.7.0.11", "10.7.0.12"]
    assert {m["operating_status"] for m in members} == {"ONLINE"}
    stats = cloud.openstack("loadbalancer", "stats", "show", "web-lb")
    assert set(stats) == {"active_connections", "bytes_in", "bytes_out", "request_errors",
                          "total_connections"}
    tree = json.loads(cloud.openstack_text("loadbalancer", "status", "show", "web-lb").stdout)
    pools = tree["loadbalancer"]["listeners"][0]["pools"]
    assert pools[0]["health_monitor"]["id"] == monitor["id"]
    assert len(pools[0]["members"]) == 2

    cloud.openstack_text("loadbalancer", "delete", "--cascade", "--wait", "web-lb")
    assert cloud.openstack("loadbalancer", "list") == []
    assert [p for p in cloud.openstack("port", "list") if p["Name"].startswith("octavia")] == []


def test_floating_ip_on_the_vip_port(cloud):
    make_subnet(cloud)
    cloud.openstack("router", "create", "edge")
    cloud.openstack_text("router", "set", "--external-gateway", "public", "edge")
    cloud.openstack_text("router", "add", "subnet", "edge", "web-subnet")
    lb = cloud.openstack("loadbalancer", "create", "--name", "web-lb", "--vip-subnet-id",
                         "web-subnet", "--wait")
    fip = cloud.openstack("floating", "ip", "create", "public")
    cloud.openstack_text("floating", "ip", "set", "--port", lb["vip_port_id"],
                         fip["floating_ip_address"])
    shown = cloud.openstack("floating", "ip", "show", fip["floating_ip_address"])
    assert shown["fixed_ip_address"] == lb["vip_address"]
    assert shown["port_id"] == lb["vip_port_id"]


def test_refusals_are_readable(cloud):
    make_subnet(cloud)
    cloud.openstack("loadbalancer", "create", "--name", "web-lb", "--vip-subnet-id",
                    "web-subnet", "--wait")
    result = cloud.openstack_text("loadbalancer", "listener", "create", "--protocol", "UDP",
                                  "--protocol-port", "53", "web-lb", check=False)
    assert result.returncode != 0
    assert "not supported by provider haproxy" in result.stderr
    assert "(HTTP 400)" in result.stderr
