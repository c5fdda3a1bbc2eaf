from tests.unit.network.conftest import N, error_type, make, network_driver, ok, settle


def test_automatic_address_and_mac_from_ip(demo, net):
    network, subnet = net
    port = make(demo, "ports", "port", network_id=network["id"])
    assert port["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.1.0.2"}]
    assert port["mac_address"] == "fa:16:3e:01:00:02"
    assert port["status"] == "DOWN" and port["binding:vnic_type"] == "normal"
    assert port["allowed_address_pairs"] == [] and port["port_security_enabled"] is True
    default = ok(demo.get(f"{N}/security-groups", params={"name": "default"}))
    assert port["security_groups"] == [default["security_groups"][0]["id"]]


def test_reused_address_gets_the_same_mac(demo, deployment, net):
    network, _ = net
    first = make(demo, "ports", "port", network_id=network["id"])
    assert demo.delete(f"{N}/ports/{first['id']}").status_code == 204
    settle(deployment)
    again = make(demo, "ports", "port", network_id=network["id"])
    assert again["fixed_ips"] == first["fixed_ips"]
    assert again["mac_address"] == first["mac_address"]


def test_explicit_address_and_conflict(demo, net):
    network, subnet = net
    port = make(demo, "ports", "port", network_id=network["id"],
                fixed_ips=[{"ip_address": "10.1.0.77"}])
    assert port["fixed_ips"][0] == {"subnet_id": subnet["id"], "ip_address": "10.1.0.77"}
    assert port["mac_address"] == "fa:16:3e:01:00:4d"
    response = demo.post(f"{N}/ports", json={"port": {
        "network_id": network["id"], "fixed_ips": [{"subnet_id": subnet["id"],
                                                    "ip_address": "10.1.0.77"}]}})
    assert response.status_code == 409
    assert error_type(response) == "IpAddressAlreadyAllocated"


def test_address_outside_subnets_is_400(demo, net):
    network, _ = net
    response = demo.post(f"{N}/ports", json={"port": {
        "network_id": network["id"], "fixed_ips": [{"ip_address": "192.168.9.9"}]}})
    assert response.status_code == 400


def test_given_mac_and_duplicate_mac(demo, net):
    network, _ = net
    port = make(demo, "ports", "port", network_id=network["id"], mac_address="fa:16:3e:aa:bb:cc")
    assert port["mac_address"] == "fa:16:3e:aa:bb:cc"
    response = demo.post(f"{N}/ports", json={"port": {"network_id": network["id"],
                                                      "mac_address": "fa:16:3e:aa:bb:cc"}})
    assert response.status_code == 409 and error_type(response) == "MacAddressInUse"


def test_filters(demo, net):
    network, _ = net
    a = make(demo, "ports", "port", network_id=network["id"], device_id="srv-1",
             device_owner="compute:nova")
    make(demo, "ports", "port", network_id=network["id"])
    address = a["fixed_ips"][0]["ip_address"]
    for params in ({"device_id": "srv-1"}, {"fixed_ips": f"ip_address={address}"},
                   {"device_owner": "compute:nova", "network_id": network["id"]}):
        found = ok(demo.get(f"{N}/ports", params=params))["ports"]
        assert [p["id"] for p in found] == [a["id"]], params


def test_bound_port_goes_active_and_is_plugged(demo, deployment, net):
    network, _ = net
    port = make(demo, "ports", "port", network_id=network["id"])
    settle(deployment)
    assert ok(demo.get(f"{N}/ports/{port['id']}"))["port"]["status"] == "DOWN"
    ok(demo.put(f"{N}/ports/{port['id']}", json={"port": {
        "device_id": "srv-9", "device_owner": "compute:nova"}}))
    settle(deployment)
    assert ok(demo.get(f"{N}/ports/{port['id']}"))["port"]["status"] == "ACTIVE"
    plugged = network_driver(deployment).ports[port["id"]]
    assert plugged.mac_address == port["mac_address"]
    ingress = [r for r in plugged.rules if r.direction == "ingress"]
    own = port["fixed_ips"][0]["ip_address"] + "/32"
    assert [r.remote_ips for r in ingress] == [(own,)]  # default group: members only
    assert demo.delete(f"{N}/ports/{port['id']}").status_code == 204
    assert demo.get(f"{N}/ports/{port['id']}").status_code == 404
    settle(deployment)
    assert port["id"] not in network_driver(deployment).ports


def test_update_security_groups_and_fixed_ips(demo, net):
    network, subnet = net
    web = make(demo, "security-groups", "security_group", name="web")
    port = make(demo, "ports", "port", network_id=network["id"])
    body = ok(demo.put(f"{N}/ports/{port['id']}", json={"port": {
        "security_groups": [web["id"]], "fixed_ips": [{"ip_address": "10.1.0.50"}]}}))["port"]
    assert body["security_groups"] == [web["id"]]
    assert body["fixed_ips"] == [{"subnet_id": subnet["id"], "ip_address": "10.1.0.50"}]


def test_port_security_off_without_groups(demo, net):
    network, _ = net
    port = make(demo, "ports", "port", network_id=network["id"], port_security_enabled=False)
    assert port["security_groups"] == []
    response = demo.post(f"{N}/ports", json={"port": {
        "network_id": network["id"], "port_security_enabled": False,
        "security_groups": ["default"]}})
    assert response.status_code == 409


def test_other_projects_port_is_404(admin, demo, net):
    network, _ = net
    port = make(demo, "ports", "port", network_id=network["id"])
    assert admin.get(f"{N}/ports/{port['id']}").status_code == 200
    admin_net = make(admin, "networks", "network", name="adm")
    response = demo.post(f"{N}/ports", json={"port": {"network_id": admin_net["id"]}})
    assert response.status_code == 404 and error_type(response) == "NetworkNotFound"
