"""/limits and /os-quota-sets: shapes per microversion, usage, admin changes."""

import pytest

from pocketstack.services.compute import quotas

LIMITS = "/compute/v2.1/limits"
QUOTAS = "/compute/v2.1/os-quota-sets"
NETWORK_LIMITS = {"maxSecurityGroups", "maxSecurityGroupRules", "maxTotalFloatingIps",
                  "totalFloatingIpsUsed", "totalSecurityGroupsUsed"}


def mv(version: str) -> dict:
    return {"OpenStack-API-Version": f"compute {version}"}


@pytest.fixture
def demo_project(deployment) -> str:
    return deployment.accounts["demo"].project_id


@pytest.fixture
def busy(monkeypatch):
    """The demo project runs 3 servers with 4 cores and 2048 MiB."""
    monkeypatch.setattr(quotas, "project_usage",
                        lambda _session, _project: {"instances": 3, "cores": 4, "ram": 2048})


def absolute(api, version="2.1", query="") -> dict:
    response = api.get(f"{LIMITS}{query}", headers=mv(version))
    assert response.status_code == 200, response.text
    assert response.json()["limits"]["rate"] == []
    return response.json()["limits"]["absolute"]


def test_limits_at_2_1(demo):
    found = absolute(demo)
    assert found["maxTotalInstances"] == 10 and found["maxTotalCores"] == 20
    assert found["maxTotalRAMSize"] == 51200 and found["maxTotalKeypairs"] == 100
    assert found["maxServerMeta"] == found["maxImageMeta"] == 128
    assert found["maxPersonality"] == 5 and found["maxPersonalitySize"] == 10240
    assert found["maxServerGroups"] == 10 and found["maxServerGroupMembers"] == 10
    assert NETWORK_LIMITS <= set(found)
    assert found["totalInstancesUsed"] == found["totalCoresUsed"] == found["totalRAMUsed"] == 0
    assert found["totalServerGroupsUsed"] == 0


def test_limits_drop_fields_by_microversion(demo):
    assert not NETWORK_LIMITS & set(absolute(demo, "2.36"))
    assert "maxImageMeta" in absolute(demo, "2.38")
    at_239 = absolute(demo, "2.39")
    assert "maxImageMeta" not in at_239 and "maxPersonality" in at_239
    at_257 = absolute(demo, "2.57")
    assert not {"maxPersonality", "maxPersonalitySize"} & set(at_257)
    assert {"maxServerMeta", "maxTotalKeypairs", "totalInstancesUsed"} <= set(at_257)


def test_limits_show_usage(demo, busy):
    found = absolute(demo)
    assert (found["totalInstancesUsed"], found["totalCoresUsed"], found["totalRAMUsed"]) == (
        3, 4, 2048)


def test_limits_for_another_project_are_for_admins(admin, demo, demo_project, deployment):
    admin_project = deployment.accounts["admin"].project_id
    admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"cores": 7}})
    assert absolute(admin, query=f"?tenant_id={demo_project}")["maxTotalCores"] == 7
    assert absolute(admin)["maxTotalCores"] == 20
    assert absolute(demo, query=f"?tenant_id={demo_project}")["maxTotalCores"] == 7
    assert demo.get(f"{LIMITS}?tenant_id={admin_project}").status_code == 403
    assert demo.get(f"{LIMITS}?colour=red", headers=mv("2.75")).status_code == 400


def test_quota_show_shapes(demo, demo_project):
    old = demo.get(f"{QUOTAS}/{demo_project}").json()["quota_set"]
    assert old["id"] == demo_project
    assert old["instances"] == 10 and old["fixed_ips"] == -1
    assert {"floating_ips", "security_groups", "security_group_rules", "injected_files"} <= set(
        old)
    mid = demo.get(f"{QUOTAS}/{demo_project}", headers=mv("2.36")).json()["quota_set"]
    assert not {"fixed_ips", "floating_ips", "security_groups", "security_group_rules"} & set(mid)
    assert "injected_files" in mid
    new = demo.get(f"{QUOTAS}/{demo_project}", headers=mv("2.57")).json()["quota_set"]
    assert set(new) == {"id", "instances", "cores", "ram", "metadata_items", "key_pairs",
                        "server_groups", "server_group_members"}


def test_members_see_only_their_own_project(demo, deployment):
    other = deployment.accounts["admin"].project_id
    response = demo.get(f"{QUOTAS}/{other}")
    assert response.status_code == 403 and "forbidden" in response.json()
    assert demo.get(f"{QUOTAS}/{other}/detail").status_code == 403


def test_unknown_project_is_bad_request(admin):
    assert admin.get(f"{QUOTAS}/no-such-project").status_code == 400
    assert admin.get(f"{QUOTAS}/no-such-project/defaults").status_code == 400


def test_defaults_ignore_overrides(admin, demo_project):
    admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"instances": 3}})
    defaults = admin.get(f"{QUOTAS}/{demo_project}/defaults").json()["quota_set"]
    assert defaults["instances"] == 10 and defaults["id"] == demo_project


def test_detail_has_usage(demo, demo_project, busy):
    found = demo.get(f"{QUOTAS}/{demo_project}/detail", headers=mv("2.57")).json()["quota_set"]
    assert found["id"] == demo_project
    assert found["instances"] == {"limit": 10, "in_use": 3, "reserved": 0}
    assert found["ram"] == {"limit": 51200, "in_use": 2048, "reserved": 0}
    assert found["key_pairs"]["in_use"] == 0


def test_admin_updates_quotas(admin, demo, demo_project):
    response = admin.put(f"{QUOTAS}/{demo_project}",
                         json={"quota_set": {"instances": 20, "cores": "40", "ram": -1}})
    assert response.status_code == 200, response.text
    body = response.json()["quota_set"]
    assert "id" not in body and (body["instances"], body["cores"], body["ram"]) == (20, 40, -1)
    assert demo.get(f"{QUOTAS}/{demo_project}").json()["quota_set"]["instances"] == 20
    assert absolute(demo)["maxTotalInstances"] == 20


def test_network_quotas_before_2_36_are_the_network_services(admin, demo_project):
    admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"floating_ips": 4}})
    assert admin.get(f"{QUOTAS}/{demo_project}").json()["quota_set"]["floating_ips"] == 4
    assert admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"floating_ips": 4}},
                     headers=mv("2.36")).status_code == 400
    assert admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"injected_files": 4}},
                     headers=mv("2.57")).status_code == 400


@pytest.mark.parametrize("values", [
    {"instances": -2}, {"instances": "ten"}, {"instances": True}, {"instances": 1.5},
    {"colours": 3}, {"networks": 1}, {"force": "perhaps"}, {"cores": 2 ** 31},
])
def test_update_validation(admin, demo_project, values):
    response = admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": values})
    assert response.status_code == 400, response.text


def test_update_needs_admin(demo, demo_project):
    response = demo.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"instances": 99}})
    assert response.status_code == 403


def test_limit_below_usage_needs_force(admin, demo_project, busy):
    response = admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"instances": 2}})
    assert response.status_code == 400
    assert "already used and reserved 3" in response.json()["badRequest"]["message"]
    assert admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"instances": 3}}
                     ).status_code == 200
    forced = admin.put(f"{QUOTAS}/{demo_project}",
                       json={"quota_set": {"instances": 2, "force": True}})
    assert forced.status_code == 200 and forced.json()["quota_set"]["instances"] == 2


def test_delete_resets_to_defaults(admin, demo, demo_project):
    admin.put(f"{QUOTAS}/{demo_project}", json={"quota_set": {"instances": 1, "key_pairs": 1}})
    assert demo.delete(f"{QUOTAS}/{demo_project}").status_code == 403
    assert admin.delete(f"{QUOTAS}/{demo_project}").status_code == 202
    found = admin.get(f"{QUOTAS}/{demo_project}").json()["quota_set"]
    assert (found["instances"], found["key_pairs"]) == (10, 100)
