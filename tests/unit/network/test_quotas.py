from tests.unit.network.conftest import N, error_type, make, ok


def project(deployment, name):
    return deployment.accounts[name].project_id


def test_show_defaults_and_details(demo, deployment):
    pid = project(deployment, "demo")
    quota = ok(demo.get(f"{N}/quotas/{pid}"))["quota"]
    assert quota["network"] == 100 and quota["floatingip"] == 50
    assert ok(demo.get(f"{N}/quotas/{pid}/default"))["quota"]["router"] == 10
    details = ok(demo.get(f"{N}/quotas/{pid}/details"))["quota"]
    assert details["network"]["used"] == 1  # the bootstrap's private network
    assert details["router"] == {"limit": 10, "used": 1, "reserved": 0}


def test_member_cannot_set_or_read_others(demo, deployment):
    pid = project(deployment, "demo")
    assert demo.put(f"{N}/quotas/{pid}", json={"quota": {"network": 5}}).status_code == 403
    assert demo.get(f"{N}/quotas/{project(deployment, 'admin')}").status_code == 403
    assert demo.get(f"{N}/quotas").status_code == 403


def test_over_quota_is_409(admin, demo, deployment):
    pid = project(deployment, "demo")
    body = ok(admin.put(f"{N}/quotas/{pid}", json={"quota": {"network": 2}}))
    assert body["quota"]["network"] == 2
    listed = ok(admin.get(f"{N}/quotas"))["quotas"]
    assert [q["project_id"] for q in listed] == [pid]
    make(demo, "networks", "network", name="second")
    response = demo.post(f"{N}/networks", json={"network": {"name": "third"}})
    assert response.status_code == 409 and error_type(response) == "OverQuota"
    assert admin.delete(f"{N}/quotas/{pid}").status_code == 204
    make(demo, "networks", "network", name="third")


def test_bad_quota_values(admin, deployment):
    pid = project(deployment, "demo")
    for values in ({"network": "many"}, {"network": -5}, {"gadgets": 1}):
        response = admin.put(f"{N}/quotas/{pid}", json={"quota": values})
        assert response.status_code == 400, values


def test_rule_quota(admin, demo, deployment):
    pid = project(deployment, "demo")
    ok(admin.put(f"{N}/quotas/{pid}", json={"quota": {"security_group_rule": 0}}))
    web = make(demo, "security-groups", "security_group", name="web")
    response = demo.post(f"{N}/security-group-rules", json={"security_group_rule": {
        "security_group_id": web["id"], "direction": "ingress", "protocol": "icmp"}})
    assert response.status_code == 409
