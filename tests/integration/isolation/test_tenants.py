"""Two projects on the wire: each has a network of the SAME CIDR (10.9.0.0/24), a router
with gateway ``public`` and a server. A server reaches its own router but neither the
other project's server (by its private IP) nor the other router's internal leg; through
floating IPs (public traffic) they reach each other only once a security group allows."""

from __future__ import annotations

import time

import pytest

from .conftest import N, api, boot, floating_ip, inside, ok, wait_active

pytestmark = pytest.mark.root

CIDR = "10.9.0.0/24"


def project_b(admin) -> str:
    project = ok(admin.post("/identity/v3/projects", json={"project": {
        "name": "tenant-b", "domain_id": "default"}}))["project"]["id"]
    user = ok(admin.post("/identity/v3/users", json={"user": {
        "name": "user-b", "password": "secret-b-1234", "domain_id": "default",
        "default_project_id": project}}))["user"]["id"]
    role = ok(admin.get("/identity/v3/roles?name=member"))["roles"][0]["id"]
    ok(admin.put(f"/identity/v3/projects/{project}/users/{user}/roles/{role}"))
    return project


def tenant_net(client, gateway: str) -> tuple[str, str]:
    """Network + subnet (gateway ``gateway``) + router to public; returns (network, router)."""
    public = ok(client.get(f"{N}/networks?name=public"))["networks"][0]["id"]
    network = ok(client.post(f"{N}/networks", json={"network": {"name": "same"}}))["network"]
    subnet = ok(client.post(f"{N}/subnets", json={"subnet": {
        "network_id": network["id"], "cidr": CIDR, "ip_version": 4, "gateway_ip": gateway,
        "allocation_pools": [{"start": "10.9.0.10", "end": "10.9.0.200"}]}}))["subnet"]
    router = ok(client.post(f"{N}/routers", json={"router": {
        "name": "r", "external_gateway_info": {"network_id": public}}}))["router"]
    ok(client.put(f"{N}/routers/{router['id']}/add_router_interface",
                  json={"subnet_id": subnet["id"]}))
    return network["id"], router["id"]


def reaches(deployment, server: str, address: str) -> bool:
    result = inside(deployment, server, f"ping -c 1 -W 1 {address}")
    return result.returncode == 0


def eventually(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
    return True


def test_same_cidr_tenants_do_not_meet_on_the_wire(cloud):
    deployment, _host = cloud
    admin = api(deployment, "admin", "admin")
    project_b(admin)
    a = api(deployment, "demo", "demo")
    b = api(deployment, "user-b", "tenant-b", password="secret-b-1234")
    net_a, _ = tenant_net(a, "10.9.0.1")
    net_b, _ = tenant_net(b, "10.9.0.254")  # another gateway, so "B's leg" is its own IP
    server_a = boot(a, "a", net_a, fixed_ip="10.9.0.20")
    server_b = boot(b, "b", net_b, fixed_ip="10.9.0.30")
    for client, server in ((a, server_a), (b, server_b)):
        wait_active(client, server)

    # own router: yes (its leg may be wired a moment after ACTIVE); the other's server and
    # the other's router leg: no
    assert eventually(lambda: reaches(deployment, server_a, "10.9.0.1"))
    assert eventually(lambda: reaches(deployment, server_b, "10.9.0.254"))
    assert not reaches(deployment, server_a, "10.9.0.30")
    assert not reaches(deployment, server_a, "10.9.0.254")
    assert not reaches(deployment, server_b, "10.9.0.20")
    assert not reaches(deployment, server_b, "10.9.0.1")

    # floating IPs: public traffic, allowed only by a security group rule
    fip_a, fip_b = floating_ip(a, server_a), floating_ip(b, server_b)
    assert not reaches(deployment, server_a, fip_b)
    group_b = ok(b.get(f"{N}/security-groups?name=default"))["security_groups"][0]["id"]
    ok(b.post(f"{N}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group_b, "direction": "ingress", "protocol": "icmp",
        "remote_ip_prefix": "0.0.0.0/0"}}))
    assert eventually(lambda: reaches(deployment, server_a, fip_b))
    assert not reaches(deployment, server_b, fip_a)  # A's group still closed
    assert api_isolated(a, b, server_b)


def api_isolated(a, b, server_b: str) -> bool:
    """And on the API: A gets 404 for B's server and does not list B's network."""
    assert a.get(f"/compute/v2.1/servers/{server_b}").status_code == 404
    names_a = [n["name"] for n in ok(a.get(f"{N}/networks"))["networks"]]
    return names_a.count("same") == 1
