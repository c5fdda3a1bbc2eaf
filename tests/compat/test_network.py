"""Networks, subnets, routers, security groups and floating IPs with the openstack CLI."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.compat


def make_network(cloud, name: str, cidr: str) -> tuple[dict, dict]:
    network = cloud.openstack("network", "create", name)
    subnet = cloud.openstack(
        "subnet", "create", "--network", name, "--subnet-range", cidr, f"{name}-subnet")
    return network, subnet


def test_router_with_public_gateway_and_a_subnet_gets_the_gateway_port(cloud):
    network, subnet = make_network(cloud, "web-net", "10.9.0.0/24")
    router = cloud.openstack("router", "create", "web-router")
    cloud.openstack_text("router", "set", "--external-gateway", "public", "web-router")
    cloud.openstack_text("router", "add", "subnet", "web-router", "web-net-subnet")

    public = cloud.openstack("network", "show", "public")
    shown = cloud.openstack("router", "show", "web-router")
    ports = cloud.openstack("port", "list", "--router", "web-router")

    assert subnet["cidr"] == "10.9.0.0/24" and subnet["network_id"] == network["id"]
    assert subnet["gateway_ip"] == "10.9.0.1"
    assert public["router:external"] is True
    assert shown["id"] == router["id"]
    assert shown["external_gateway_info"]["network_id"] == public["id"]
    fixed_ips = [ip for port in ports for ip in port["Fixed IP Addresses"]]
    assert {"subnet_id": subnet["id"], "ip_address": "10.9.0.1"} in fixed_ips


def test_security_group_accepts_a_tcp_80_ingress_rule_from_anywhere(cloud):
    group = cloud.openstack("security", "group", "create", "web")
    rule = cloud.openstack("security", "group", "rule", "create",
                           "--ingress", "--protocol", "tcp", "--dst-port", "80", "web")
    rules = cloud.openstack("security", "group", "rule", "list", "web")

    assert rule["security_group_id"] == group["id"]
    assert (rule["direction"], rule["protocol"], rule["ether_type"]) == ("ingress", "tcp", "IPv4")
    assert (rule["port_range_min"], rule["port_range_max"]) == (80, 80)
    assert rule["remote_ip_prefix"] == "0.0.0.0/0"
    listed = {r["ID"]: r for r in rules}
    assert listed[rule["id"]]["IP Protocol"] == "tcp"
    assert listed[rule["id"]]["Port Range"] == "80:80"


def test_floating_ip_associated_with_a_server_shows_in_its_addresses(cloud):
    server = cloud.create_server("haproxy")
    floating = cloud.openstack("floating", "ip", "create", "public")
    address = floating["floating_ip_address"]
    cloud.openstack_text("server", "add", "floating", "ip", "haproxy", address)

    shown = cloud.openstack("server", "show", "haproxy")
    associated = cloud.openstack("floating", "ip", "show", address)

    assert address in json.dumps(shown["addresses"])
    assert associated["port_id"]
    assert associated["fixed_ip_address"] in json.dumps(server["addresses"])


def test_delete_with_wait_removes_server_then_floating_ip_router_subnet_network(cloud):
    make_network(cloud, "tmp-net", "10.8.0.0/24")
    cloud.openstack("router", "create", "tmp-router")
    cloud.openstack_text("router", "set", "--external-gateway", "public", "tmp-router")
    cloud.openstack_text("router", "add", "subnet", "tmp-router", "tmp-net-subnet")
    server = cloud.create_server("short-lived", network="tmp-net")
    floating = cloud.openstack("floating", "ip", "create", "public")
    cloud.openstack_text("server", "add", "floating", "ip", "short-lived",
                         floating["floating_ip_address"])

    cloud.openstack_text("server", "delete", "--wait", "short-lived")
    cloud.openstack_text("floating", "ip", "delete", floating["id"])
    cloud.openstack_text("router", "remove", "subnet", "tmp-router", "tmp-net-subnet")
    cloud.openstack_text("router", "delete", "tmp-router")
    cloud.openstack_text("subnet", "delete", "tmp-net-subnet")
    cloud.openstack_text("network", "delete", "tmp-net")

    assert server["id"] not in {s["ID"] for s in cloud.openstack("server", "list")}
    assert floating["id"] not in {f["ID"] for f in cloud.openstack("floating", "ip", "list")}
    assert "tmp-router" not in {r["Name"] for r in cloud.openstack("router", "list")}
    assert "tmp-net-subnet" not in {s["Name"] for s in cloud.openstack("subnet", "list")}
    assert "tmp-net" not in {n["Name"] for n in cloud.openstack("network", "list")}
    assert cloud.openstack("port", "list", "--device-id", server["id"]) == []
