from tests.unit.network.conftest import (
    N,
    error_type,
    make,
    network_driver,
    ok,
    public_id,
    settle,
)


def add(api, router_id, **body):
    return api.put(f"{N}/routers/{router_id}/add_router_interface", json=body)


def remove(api, router_id, **body):
    return api.put(f"{N}/routers/{router_id}/remove_router_interface", json=body)


def test_gateway_gets_an_external_address(demo, deployment):
    router = make(demo, "routers", "router", name="r",
                  external_gateway_info={"network_id": public_id(demo)})
    info = router["external_gateway_info"]
    assert info["network_id"] == public_id(demo) and info["enable_snat"] is True
    assert info["external_fixed_ips"][0]["ip_address"].startswith("172.24.4.")
    settle(deployment)
    assert ok(demo.get(f"{N}/routers/{router['id']}"))["router"]["status"] == "ACTIVE"
    host = network_driver(deployment).routers[router["id"]]
    assert host.gateway.leg.ip_address == info["external_fixed_ips"][0]["ip_address"]
    assert host.gateway.next_hop == "172.24.4.1"


def test_gateway_must_be_external(demo, net):
    network, _ = net
    response = demo.post(f"{N}/routers", json={"router": {
        "name": "r", "external_gateway_info": {"network_id": network["id"]}}})
    assert response.status_code == 400


def test_interface_by_subnet_takes_gateway_ip(demo, deployment, net):
    network, subnet = net
    router = make(demo, "routers", "router", name="r")
    body = ok(add(demo, router["id"], subnet_id=subnet["id"]))
    assert body["subnet_id"] == subnet["id"] and body["network_id"] == network["id"]
    port = ok(demo.get(f"{N}/ports/{body['port_id']}"))["port"]
    assert port["device_owner"] == "network:router_interface"
    assert port["device_id"] == router["id"]
    assert port["fixed_ips"][0]["ip_address"] == "10.1.0.1"
    assert add(demo, router["id"], subnet_id=subnet["id"]).status_code == 400
    settle(deployment)
    legs = network_driver(deployment).routers[router["id"]].interfaces
    assert [(leg.ip_address, leg.prefix_length) for leg in legs] == [("10.1.0.1", 24)]


def test_delete_refused_with_interfaces(demo, deployment, net):
    _, subnet = net
    router = make(demo, "routers", "router", name="r")
    ok(add(demo, router["id"], subnet_id=subnet["id"]))
    response = demo.delete(f"{N}/routers/{router['id']}")
    assert response.status_code == 409 and error_type(response) == "RouterInUse"
    ok(remove(demo, router["id"], subnet_id=subnet["id"]))
    assert remove(demo, router["id"], subnet_id=subnet["id"]).status_code == 404
    assert demo.delete(f"{N}/routers/{router['id']}").status_code == 204
    assert demo.get(f"{N}/routers/{router['id']}").status_code == 404
    settle(deployment)
    assert router["id"] not in network_driver(deployment).routers


def test_interface_by_port(demo, net):
    network, _ = net
    router = make(demo, "routers", "router", name="r")
    port = make(demo, "ports", "port", network_id=network["id"])
    body = ok(add(demo, router["id"], port_id=port["id"]))
    assert body["port_id"] == port["id"]
    shown = ok(demo.get(f"{N}/ports/{port['id']}"))["port"]
    assert shown["device_owner"] == "network:router_interface"
    assert add(demo, router["id"], port_id=port["id"]).status_code == 409
    ok(remove(demo, router["id"], port_id=port["id"]))
    assert demo.get(f"{N}/ports/{port['id']}").status_code == 404


def test_clear_gateway_releases_its_port(admin, demo):
    router = make(demo, "routers", "router", name="r",
                  external_gateway_info={"network_id": public_id(demo)})
    owners = {p["device_owner"] for p in ok(admin.get(
        f"{N}/ports", params={"device_id": router["id"]}))["ports"]}
    assert owners == {"network:router_gateway"}
    body = ok(demo.put(f"{N}/routers/{router['id']}",
                       json={"router": {"external_gateway_info": {}}}))
    assert body["router"]["external_gateway_info"] is None
    assert ok(admin.get(f"{N}/ports", params={"device_id": router["id"]}))["ports"] == []


def test_network_with_router_interface_cannot_be_deleted(demo, net):
    network, subnet = net
    router = make(demo, "routers", "router", name="r")
    ok(add(demo, router["id"], subnet_id=subnet["id"]))
    response = demo.delete(f"{N}/networks/{network['id']}")
    assert response.status_code == 409 and error_type(response) == "NetworkInUse"


def test_legs_of_an_admin_down_router_are_active_once_applied(deployment, demo):
    net = demo.post("/network/v2.0/networks", json={"network": {"name": "legs"}}).json()
    subnet = demo.post("/network/v2.0/subnets", json={"subnet": {
        "network_id": net["network"]["id"], "cidr": "10.77.0.0/24", "ip_version": 4}}).json()
    router = demo.post("/network/v2.0/routers", json={"router": {
        "name": "down", "admin_state_up": False}}).json()["router"]
    leg = demo.put(f"/network/v2.0/routers/{router['id']}/add_router_interface",
                   json={"subnet_id": subnet["subnet"]["id"]}).json()
    deployment.agent.run_once()
    assert demo.get(f"/network/v2.0/routers/{router['id']}").json()["router"]["status"] == "DOWN"
    assert demo.get(f"/network/v2.0/ports/{leg['port_id']}").json()["port"]["status"] == "ACTIVE"


def test_a_gateway_on_a_missing_network_is_404_and_on_an_internal_one_400(demo):
    router = demo.post("/network/v2.0/routers", json={"router": {"name": "gw"}}).json()["router"]
    path = f"/network/v2.0/routers/{router['id']}"
    missing = demo.put(path, json={"router": {"external_gateway_info": {
        "network_id": "00000000-0000-0000-0000-000000000000"}}})
    assert missing.status_code == 404
    assert missing.json()["NeutronError"]["type"] == "NetworkNotFound"
    private = demo.get("/network/v2.0/networks?name=private").json()["networks"][0]
    internal = demo.put(path, json={"router": {"external_gateway_info": {
        "network_id": private["id"]}}})
    assert internal.status_code == 400
