from pocketstack.services.network.bootstrap import ensure_default_networks
from tests.unit.network.conftest import N, by_name, ok


def test_devstack_shapes(admin, demo, deployment):
    public = by_name(admin, "networks", "public")
    assert public["router:external"] is True and public["shared"] is False
    assert public["project_id"] == deployment.accounts["admin"].project_id
    subnet = by_name(admin, "subnets", "public-subnet")
    assert subnet["cidr"] == "172.24.4.0/24" and subnet["gateway_ip"] == "172.24.4.1"
    assert subnet["allocation_pools"] == [{"start": "172.24.4.2", "end": "172.24.4.254"}]
    private = by_name(demo, "subnets", "private-subnet")
    assert private["cidr"] == "10.0.0.0/24" and private["dns_nameservers"] == []
    router = by_name(demo, "routers", "router1")
    assert router["external_gateway_info"]["network_id"] == public["id"]
    interfaces = ok(demo.get(f"{N}/ports", params={"device_id": router["id"],
                                                    "device_owner": "network:router_interface"}))
    assert interfaces["ports"][0]["fixed_ips"][0]["ip_address"] == "10.0.0.1"
    defaults = ok(admin.get(f"{N}/security-groups", params={"name": "default"}))
    owners = {g["project_id"] for g in defaults["security_groups"]}
    assert owners == {deployment.accounts[n].project_id for n in ("admin", "demo")}


def test_idempotent(admin, deployment):
    def counts():
        return {c: len(ok(admin.get(f"{N}/{c}"))[c.replace("-", "_")])
                for c in ("networks", "subnets", "routers", "ports", "security-groups")}

    before = counts()
    accounts = deployment.accounts
    ensure_default_networks(deployment.cloud, admin_project_id=accounts["admin"].project_id,
                            demo_project_id=accounts["demo"].project_id)
    assert counts() == before
