import pytest

from tests.unit.network.conftest import (
    N,
    error_type,
    make,
    network_driver,
    ok,
    public_id,
    settle,
)


@pytest.fixture
def routed(demo, net):
    """demo's n1 joined to public by a router; returns (network, subnet, router)."""
    network, subnet = net
    router = make(demo, "routers", "router", name="edge",
                  external_gateway_info={"network_id": public_id(demo)})
    ok(demo.put(f"{N}/routers/{router['id']}/add_router_interface",
                json={"subnet_id": subnet["id"]}))
    return network, subnet, router


def test_allocate_associate_disassociate(demo, deployment, routed):
    network, _, router = routed
    port = make(demo, "ports", "port", network_id=network["id"], device_id="srv",
                device_owner="compute:nova")
    fip = make(demo, "floatingips", "floatingip", floating_network_id=public_id(demo))
    assert fip["status"] == "DOWN" and fip["port_id"] is None
    assert fip["floating_ip_address"].startswith("172.24.4.")
    body = ok(demo.put(f"{N}/floatingips/{fip['id']}",
                       json={"floatingip": {"port_id": port["id"]}}))["floatingip"]
    assert body["router_id"] == router["id"]
    assert body["fixed_ip_address"] == port["fixed_ips"][0]["ip_address"]
    settle(deployment)
    assert ok(demo.get(f"{N}/floatingips/{fip['id']}"))["floatingip"]["status"] == "ACTIVE"
    carried = network_driver(deployment).floating_ips[fip["id"]]
    assert carried.fixed_ip_address == body["fixed_ip_address"]
    found = ok(demo.get(f"{N}/floatingips", params={"port_id": port["id"]}))["floatingips"]
    assert [f["id"] for f in found] == [fip["id"]]
    body = ok(demo.put(f"{N}/floatingips/{fip['id']}",
                       json={"floatingip": {"port_id": None}}))["floatingip"]
    assert body["port_id"] is None and body["router_id"] is None
    settle(deployment)
    assert ok(demo.get(f"{N}/floatingips/{fip['id']}"))["floatingip"]["status"] == "DOWN"
    assert fip["id"] not in network_driver(deployment).floating_ips


def test_no_router_to_the_subnet_is_404(demo, net):
    network, _ = net
    port = make(demo, "ports", "port", network_id=network["id"])
    response = demo.post(f"{N}/floatingips", json={"floatingip": {
        "floating_network_id": public_id(demo), "port_id": port["id"]}})
    assert response.status_code == 404
    assert error_type(response) == "ExternalGatewayForFloatingIPNotFound"


def test_chosen_address_and_filters(demo, deployment):
    fip = make(demo, "floatingips", "floatingip", floating_network_id=public_id(demo),
               floating_ip_address="172.24.4.200")
    assert fip["floating_ip_address"] == "172.24.4.200"
    again = demo.post(f"{N}/floatingips", json={"floatingip": {
        "floating_network_id": public_id(demo), "floating_ip_address": "172.24.4.200"}})
    assert again.status_code == 409
    found = ok(demo.get(f"{N}/floatingips", params={"floating_ip_address": "172.24.4.200"}))
    assert [f["id"] for f in found["floatingips"]] == [fip["id"]]
    assert demo.delete(f"{N}/floatingips/{fip['id']}").status_code == 204
    assert demo.get(f"{N}/floatingips/{fip['id']}").status_code == 404
    settle(deployment)
    fresh = make(demo, "floatingips", "floatingip", floating_network_id=public_id(demo),
                 floating_ip_address="172.24.4.200")
    assert fresh["floating_ip_address"] == "172.24.4.200"


def test_internal_network_is_refused(demo, net):
    network, _ = net
    response = demo.post(f"{N}/floatingips", json={"floatingip": {
        "floating_network_id": network["id"]}})
    assert response.status_code == 400


def test_deleting_port_disassociates(demo, deployment, routed):
    network, _, _ = routed
    port = make(demo, "ports", "port", network_id=network["id"])
    fip = make(demo, "floatingips", "floatingip", floating_network_id=public_id(demo),
               port_id=port["id"])
    assert fip["port_id"] == port["id"]
    assert demo.delete(f"{N}/ports/{port['id']}").status_code == 204
    assert ok(demo.get(f"{N}/floatingips/{fip['id']}"))["floatingip"]["port_id"] is None


def test_interface_needed_by_floating_ip_stays(demo, routed):
    network, subnet, router = routed
    port = make(demo, "ports", "port", network_id=network["id"])
    make(demo, "floatingips", "floatingip", floating_network_id=public_id(demo),
         port_id=port["id"])
    response = demo.put(f"{N}/routers/{router['id']}/remove_router_interface",
                        json={"subnet_id": subnet["id"]})
    assert response.status_code == 409
