import pytest

from pocketstack.errors import BadRequest, Conflict
from pocketstack.services.context import RequestContext
from pocketstack.services.network import for_compute
from tests.unit.network.conftest import N, make, ok, public_id


@pytest.fixture
def demo_context(deployment):
    account = deployment.accounts["demo"]
    return RequestContext(user_id=account.user_id, user_name="demo", domain_id="default",
                          project_id=account.project_id, project_name="demo",
                          roles=frozenset({"member", "reader"}))


def in_session(deployment, work):
    with deployment.cloud.db.session() as session:
        return work(session)


def test_auto_picks_the_one_usable_network(deployment, demo_context, demo):
    nics = in_session(deployment, lambda s: for_compute.plan_server_nics(
        s, demo_context, None, None))
    private = ok(demo.get(f"{N}/networks", params={"name": "private"}))["networks"][0]
    assert [n.network_id for n in nics] == [private["id"]]
    assert len(nics[0].security_group_ids) == 1


def test_several_networks_need_a_choice(deployment, demo_context, net):
    with pytest.raises(Conflict):
        in_session(deployment, lambda s: for_compute.plan_server_nics(
            s, demo_context, "auto", None))
    assert in_session(deployment, lambda s: for_compute.plan_server_nics(
        s, demo_context, "none", None)) == []


@pytest.mark.parametrize("networks, groups", [
    ([{"uuid": "missing"}], None),
    ([{"port": "missing"}], None),
    ([{}], None),
    (None, ["no-such-group"]),
])
def test_unknown_things_are_bad_requests(deployment, demo_context, networks, groups):
    with pytest.raises(BadRequest):
        in_session(deployment, lambda s: for_compute.plan_server_nics(
            s, demo_context, networks, groups))


def test_port_quota_is_checked_for_count(admin, deployment, demo_context, net):
    network, _ = net
    ok(admin.put(f"{N}/quotas/{demo_context.project_id}", json={"quota": {"port": 3}}))
    with pytest.raises(Conflict):
        in_session(deployment, lambda s: for_compute.plan_server_nics(
            s, demo_context, [{"uuid": network["id"]}], None, count=3))


def test_server_lifecycle(demo, deployment, demo_context, net):
    network, subnet = net
    router = make(demo, "routers", "router", name="r",
                  external_gateway_info={"network_id": public_id(demo)})
    ok(demo.put(f"{N}/routers/{router['id']}/add_router_interface",
                json={"subnet_id": subnet["id"]}))
    given = make(demo, "ports", "port", network_id=network["id"])
    web = make(demo, "security-groups", "security_group", name="web")

    def build(session):
        nics = for_compute.plan_server_nics(
            session, demo_context, [{"uuid": network["id"], "fixed_ip": "10.1.0.40"},
                                    {"port": given["id"]}], ["web"])
        return for_compute.create_server_ports(session, demo_context, "srv-1", nics)

    made, bound = in_session(deployment, build)
    assert bound == given["id"]
    port = ok(demo.get(f"{N}/ports/{made}"))["port"]
    assert port["device_owner"] == "compute:nova" and port["security_groups"] == [web["id"]]
    specs = in_session(deployment, lambda s: for_compute.nic_specs(s, "srv-1"))
    assert (specs[0].ip_address, specs[0].prefix_length, specs[0].gateway) == (
        "10.1.0.40", 24, "10.1.0.1")
    assert specs[0].mac_address == "fa:16:3e:01:00:28"
    fip = make(demo, "floatingips", "floatingip", floating_network_id=public_id(demo),
               port_id=made)
    addresses = in_session(deployment, lambda s: for_compute.server_addresses(s, ["srv-1"]))
    entries = addresses["srv-1"]["n1"]
    assert {(e["addr"], e["OS-EXT-IPS:type"]) for e in entries} >= {
        ("10.1.0.40", "fixed"), (fip["floating_ip_address"], "floating")}
    groups = in_session(deployment, lambda s: for_compute.server_security_groups(s, ["srv-1"]))
    assert groups == {"srv-1": ["default", "web"]}
    in_session(deployment, lambda s: for_compute.release_server_ports(s, "srv-1"))
    in_session(deployment, lambda s: for_compute.release_server_ports(s, "srv-1"))
    assert demo.get(f"{N}/ports/{made}").status_code == 404
    kept = ok(demo.get(f"{N}/ports/{given['id']}"))["port"]
    assert kept["device_id"] == "" and kept["device_owner"] == ""
    assert ok(demo.get(f"{N}/floatingips/{fip['id']}"))["floatingip"]["port_id"] is None
