import pytest

from tests.unit.network.conftest import N, by_name, error_type, make, ok


def rule(api, group_id, **fields):
    return api.post(f"{N}/security-group-rules", json={"security_group_rule": {
        "security_group_id": group_id, "direction": "ingress", **fields}})


def test_default_group_has_neutron_rules(demo):
    default = by_name(demo, "security-groups", "default")
    shapes = {(r["direction"], r["ethertype"], r["remote_group_id"])
              for r in default["security_group_rules"]}
    assert shapes == {("egress", "IPv4", None), ("egress", "IPv6", None),
                      ("ingress", "IPv4", default["id"]), ("ingress", "IPv6", default["id"])}


def test_default_made_on_demand_once(admin, demo):
    groups = ok(admin.get(f"{N}/security-groups", params={"name": "default"}))
    assert len({g["project_id"] for g in groups["security_groups"]}) == len(
        groups["security_groups"])


def test_tcp_80_rule_as_the_cli_sends_it(demo):
    web = make(demo, "security-groups", "security_group", name="web")
    assert {r["direction"] for r in web["security_group_rules"]} == {"egress"}
    body = ok(rule(demo, web["id"], ethertype="IPv4", protocol="tcp", port_range_min=80,
                   port_range_max=80, remote_ip_prefix="0.0.0.0/0"), 201)
    assert body["security_group_rule"]["protocol"] == "tcp"
    again = rule(demo, web["id"], ethertype="IPv4", protocol="tcp", port_range_min=80,
                 port_range_max=80, remote_ip_prefix="0.0.0.0/0")
    assert again.status_code == 409 and error_type(again) == "SecurityGroupRuleExists"
    listed = ok(demo.get(f"{N}/security-group-rules", params={"security_group_id": web["id"]}))
    assert len(listed["security_group_rules"]) == 3


@pytest.mark.parametrize("fields", [
    {"protocol": "tcp", "port_range_min": 90, "port_range_max": 80},
    {"protocol": "tcp", "port_range_min": 0, "port_range_max": 80},
    {"port_range_min": 22, "port_range_max": 22},
    {"protocol": "bogus"},
    {"protocol": "icmp", "port_range_min": 300},
    {"remote_ip_prefix": "10.0.0.0/8", "remote_group_id": "x"},
    {"remote_ip_prefix": "::/0"},  # IPv6 prefix on an IPv4 rule
    {"direction": "sideways"},
])
def test_bad_rules_are_400(demo, fields):
    web = make(demo, "security-groups", "security_group", name="web")
    response = rule(demo, web["id"], **fields)
    assert response.status_code == 400, response.text


def test_protocol_number_and_remote_group(demo):
    web = make(demo, "security-groups", "security_group", name="web")
    default = by_name(demo, "security-groups", "default")
    body = ok(rule(demo, web["id"], protocol="6", port_range_min=22, port_range_max=22,
                   remote_group_id=default["id"]), 201)["security_group_rule"]
    assert body["protocol"] == "6" and body["remote_group_id"] == default["id"]
    assert demo.delete(f"{N}/security-group-rules/{body['id']}").status_code == 204
    assert demo.get(f"{N}/security-group-rules/{body['id']}").status_code == 404


def test_default_cannot_be_deleted_or_renamed_by_member(demo):
    default = by_name(demo, "security-groups", "default")
    response = demo.delete(f"{N}/security-groups/{default['id']}")
    assert response.status_code == 409
    renamed = demo.put(f"{N}/security-groups/{default['id']}",
                       json={"security_group": {"name": "other"}})
    assert renamed.status_code == 409
    duplicate = demo.post(f"{N}/security-groups", json={"security_group": {"name": "default"}})
    assert duplicate.status_code == 409


def test_group_in_use_cannot_be_deleted(demo, net):
    network, _ = net
    web = make(demo, "security-groups", "security_group", name="web")
    port = make(demo, "ports", "port", network_id=network["id"], security_groups=[web["id"]])
    response = demo.delete(f"{N}/security-groups/{web['id']}")
    assert response.status_code == 409 and error_type(response) == "SecurityGroupInUse"
    assert demo.delete(f"{N}/ports/{port['id']}").status_code == 204
    assert demo.delete(f"{N}/security-groups/{web['id']}").status_code == 204


def test_other_projects_group_is_404(admin, demo):
    secret = make(admin, "security-groups", "security_group", name="secret")
    assert demo.get(f"{N}/security-groups/{secret['id']}").status_code == 404
    assert rule(demo, secret["id"]).status_code == 404
