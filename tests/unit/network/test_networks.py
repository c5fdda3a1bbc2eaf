from tests.unit.network.conftest import N, error_type, make, network_driver, ok, settle


def test_create_show_update_delete(demo, deployment):
    network = make(demo, "networks", "network", name="web")
    assert network["tenant_id"] == network["project_id"]
    assert network["router:external"] is False and network["shared"] is False
    assert network["revision_number"] == 1 and network["subnets"] == []
    settle(deployment)
    shown = ok(demo.get(f"{N}/networks/{network['id']}"))["network"]
    assert shown["status"] == "ACTIVE"
    updated = ok(demo.put(f"{N}/networks/{network['id']}", json={"network": {"name": "www"}}))
    assert updated["network"]["name"] == "www"
    assert updated["network"]["revision_number"] == 2
    assert demo.delete(f"{N}/networks/{network['id']}").status_code == 204
    response = demo.get(f"{N}/networks/{network['id']}")
    assert response.status_code == 404 and error_type(response) == "NetworkNotFound"
    settle(deployment)
    assert network["id"] not in network_driver(deployment).networks


def test_unknown_attribute_is_400(demo):
    response = demo.post(f"{N}/networks", json={"network": {"name": "x", "colour": "red"}})
    assert response.status_code == 400
    assert "NeutronError" in response.json()


def test_member_cannot_create_external_or_shared(demo):
    for flag in ({"router:external": True}, {"shared": True}):
        response = demo.post(f"{N}/networks", json={"network": {"name": "x", **flag}})
        assert response.status_code == 403, flag


def test_admin_creates_shared_network_members_see_it(admin, demo):
    shared = make(admin, "networks", "network", name="common", shared=True)
    hidden = make(admin, "networks", "network", name="adminonly")
    names = {n["name"] for n in ok(demo.get(f"{N}/networks"))["networks"]}
    assert {"common", "public", "private"} <= names and "adminonly" not in names
    assert demo.get(f"{N}/networks/{hidden['id']}").status_code == 404
    assert demo.get(f"{N}/networks/{shared['id']}").status_code == 200
    assert demo.delete(f"{N}/networks/{shared['id']}").status_code == 403


def test_admin_sees_every_project(admin, demo):
    make(demo, "networks", "network", name="demo-net")
    names = {n["name"] for n in ok(admin.get(f"{N}/networks"))["networks"]}
    assert "demo-net" in names


def test_filters_fields_and_sorting(demo):
    for name in ("b", "a", "c"):
        make(demo, "networks", "network", name=name)
    external = ok(demo.get(f"{N}/networks", params={"router:external": "True"}))["networks"]
    assert [n["name"] for n in external] == ["public"]
    picked = ok(demo.get(f"{N}/networks", params=[("name", "a"), ("name", "c")]))["networks"]
    assert sorted(n["name"] for n in picked) == ["a", "c"]
    only = ok(demo.get(f"{N}/networks", params=[("fields", "id"), ("fields", "name")]))
    assert set(only["networks"][0]) == {"id", "name"}
    ordered = ok(demo.get(f"{N}/networks", params={"sort_key": "name", "sort_dir": "desc"}))
    names = [n["name"] for n in ordered["networks"]]
    assert names == sorted(names, reverse=True)


def test_paging_with_links(demo):
    for name in ("p1", "p2", "p3"):
        make(demo, "networks", "network", name=name)
    seen, params = [], {"limit": 2}
    while True:
        body = ok(demo.get(f"{N}/networks", params=params))
        seen += [n["id"] for n in body["networks"]]
        following = [link for link in body.get("networks_links", []) if link["rel"] == "next"]
        if not body["networks"] or not following:
            break
        params = {"limit": 2, "marker": body["networks"][-1]["id"]}
    everything = [n["id"] for n in ok(demo.get(f"{N}/networks"))["networks"]]
    assert seen == everything and len(seen) >= 5


def test_delete_refused_while_ports_use_it(demo, net):
    network, _ = net
    port = make(demo, "ports", "port", network_id=network["id"])
    response = demo.delete(f"{N}/networks/{network['id']}")
    assert response.status_code == 409 and error_type(response) == "NetworkInUse"
    assert demo.delete(f"{N}/ports/{port['id']}").status_code == 204
    assert demo.delete(f"{N}/networks/{network['id']}").status_code == 204


def test_delete_removes_subnets(demo, net):
    network, subnet = net
    assert demo.delete(f"{N}/networks/{network['id']}").status_code == 204
    assert demo.get(f"{N}/subnets/{subnet['id']}").status_code == 404

