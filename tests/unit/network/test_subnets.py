import pytest

from tests.unit.network.conftest import N, error_type, make, ok


def subnet(api, network_id, **fields):
    return api.post(f"{N}/subnets", json={"subnet": {"network_id": network_id,
                                                     "ip_version": 4, **fields}})


def test_defaults_gateway_and_pool(demo, net):
    _, created = net
    assert created["gateway_ip"] == "10.1.0.1"
    assert created["allocation_pools"] == [{"start": "10.1.0.2", "end": "10.1.0.254"}]
    assert created["subnetpool_id"] is None and created["enable_dhcp"] is True
    network = ok(demo.get(f"{N}/networks/{created['network_id']}"))["network"]
    assert network["subnets"] == [created["id"]]


def test_no_gateway_gives_whole_range(demo, net):
    network, _ = net
    body = ok(subnet(demo, network["id"], cidr="10.2.0.0/28", gateway_ip=None), 201)["subnet"]
    assert body["gateway_ip"] is None
    assert body["allocation_pools"] == [{"start": "10.2.0.1", "end": "10.2.0.14"}]


def test_gateway_in_the_middle_splits_the_pool(demo, net):
    network, _ = net
    body = ok(subnet(demo, network["id"], cidr="10.3.0.0/29", gateway_ip="10.3.0.3"), 201)
    assert body["subnet"]["allocation_pools"] == [
        {"start": "10.3.0.1", "end": "10.3.0.2"}, {"start": "10.3.0.4", "end": "10.3.0.6"}]


@pytest.mark.parametrize("fields", [
    {"cidr": "10.1.0.128/25"},              # overlaps s1
    {"cidr": "not-a-cidr"},
    {"cidr": "10.9.0.5/24"},                # host bits set
    {"cidr": "10.9.0.0/24", "gateway_ip": "10.8.0.1"},
    {"cidr": "10.9.0.0/24", "allocation_pools": [{"start": "10.9.1.2", "end": "10.9.1.9"}]},
    {"cidr": "10.9.0.0/24", "dns_nameservers": ["nope"]},
    {"cidr": "10.9.0.0/24", "ip_version": 6},
])
def test_bad_input_is_400(demo, net, fields):
    network, _ = net
    response = subnet(demo, network["id"], **fields)
    assert response.status_code == 400, response.text


def test_gateway_inside_pool_conflicts(demo, net):
    network, _ = net
    response = subnet(demo, network["id"], cidr="10.9.0.0/24", gateway_ip="10.9.0.5",
                      allocation_pools=[{"start": "10.9.0.2", "end": "10.9.0.9"}])
    assert response.status_code == 409
    assert error_type(response) == "GatewayConflictWithAllocationPools"


def test_ipv6_subnet(demo, net):
    network, _ = net
    body = ok(subnet(demo, network["id"], cidr="fd00:1::/64", ip_version=6), 201)["subnet"]
    assert body["ip_version"] == 6 and body["gateway_ip"] == "fd00:1::1"


def test_update_and_delete_in_use(demo, net):
    network, created = net
    updated = ok(demo.put(f"{N}/subnets/{created['id']}",
                          json={"subnet": {"dns_nameservers": ["1.1.1.1"], "name": "x"}}))
    assert updated["subnet"]["dns_nameservers"] == ["1.1.1.1"]
    port = make(demo, "ports", "port", network_id=network["id"])
    response = demo.delete(f"{N}/subnets/{created['id']}")
    assert response.status_code == 409 and error_type(response) == "SubnetInUse"
    assert demo.delete(f"{N}/ports/{port['id']}").status_code == 204
    assert demo.delete(f"{N}/subnets/{created['id']}").status_code == 204


def test_member_cannot_add_subnet_to_public(demo):
    public = ok(demo.get(f"{N}/networks", params={"name": "public"}))["networks"][0]
    response = subnet(demo, public["id"], cidr="10.50.0.0/24")
    assert response.status_code == 403
