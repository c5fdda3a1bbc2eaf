"""/os-server-groups: the API per microversion, tenancy, quotas, and boot with a group hint."""

from __future__ import annotations

from tests.unit.compute.server_helpers import boot, mv, show, wait_for

GROUPS = "/compute/v2.1/os-server-groups"


def create(api, version: str = "2.1", expect: int = 200, **group) -> dict:
    response = api.post(GROUPS, json={"server_group": group}, headers=mv(version))
    assert response.status_code == expect, response.text
    return response.json()


def test_create_show_list_delete_before_2_64(demo):
    group = create(demo, name="db", policies=["anti-affinity"])["server_group"]
    assert group["policies"] == ["anti-affinity"] and group["metadata"] == {}
    assert group["members"] == [] and "project_id" not in group and "policy" not in group
    shown = demo.get(f"{GROUPS}/{group['id']}").json()["server_group"]
    assert shown == group
    assert group in demo.get(GROUPS).json()["server_groups"]
    assert demo.delete(f"{GROUPS}/{group['id']}").status_code == 204
    assert demo.get(f"{GROUPS}/{group['id']}").status_code == 404
    assert demo.get(GROUPS).json()["server_groups"] == []


def test_2_64_shape_has_policy_rules_and_owner(demo, deployment):
    group = create(demo, "2.64", name="web", policy="anti-affinity",
                   rules={"max_server_per_host": 2})["server_group"]
    assert group["policy"] == "anti-affinity" and group["rules"] == {"max_server_per_host": 2}
    assert "policies" not in group and "metadata" not in group
    assert group["project_id"] == deployment.accounts["demo"].project_id


def test_bad_bodies_are_400(demo):
    create(demo, expect=400, name="x", policies=["bogus"])
    create(demo, expect=400, name="x", policies=["affinity", "anti-affinity"])
    create(demo, expect=400, name="x", policies=["soft-affinity"])  # only from 2.15
    create(demo, "2.15", name="x", policies=["soft-affinity"])
    create(demo, expect=400, name=" padded ", policies=["affinity"])
    create(demo, "2.64", expect=400, name="x", policies=["affinity"])
    create(demo, "2.64", expect=400, name="x", policy="affinity",
           rules={"max_server_per_host": 2})
    create(demo, "2.64", expect=400, name="x", policy="anti-affinity",
           rules={"max_server_per_host": 0})


def test_other_projects_groups_are_404_and_admin_lists_all(demo, admin):
    group = create(demo, name="mine", policies=["affinity"])["server_group"]
    assert admin.get(GROUPS).json()["server_groups"] == []
    everything = admin.get(f"{GROUPS}?all_projects=True").json()["server_groups"]
    assert [found["id"] for found in everything] == [group["id"]]
    other = create(admin, name="admins", policies=["affinity"])["server_group"]
    assert demo.get(f"{GROUPS}/{other['id']}").status_code == 404
    assert demo.delete(f"{GROUPS}/{other['id']}").status_code == 404
    assert demo.get(f"{GROUPS}?all_projects=True").json()["server_groups"] == [group]


def test_quota_on_groups_shows_in_use(demo, admin, deployment):
    project_id = deployment.accounts["demo"].project_id
    admin.put(f"/compute/v2.1/os-quota-sets/{project_id}",
              json={"quota_set": {"server_groups": 1}})
    create(demo, name="one", policies=["affinity"])
    response = demo.post(GROUPS, json={"server_group": {"name": "two",
                                                         "policies": ["affinity"]}})
    assert response.status_code == 403 and "server_groups" in response.text
    usage = demo.get(f"/compute/v2.1/os-quota-sets/{project_id}/detail").json()
    assert usage["quota_set"]["server_groups"]["in_use"] == 1


def test_boot_with_group_hint_joins_the_group(demo, image_id):
    group = create(demo, name="g", policies=["affinity"])["server_group"]
    hints = {"os:scheduler_hints": {"group": group["id"]}}
    body = {"server": {"name": "a", "imageRef": image_id, "flavorRef": "1"}, **hints}
    server = demo.post("/compute/v2.1/servers", json=body).json()["server"]
    wait_for(demo, server["id"], "ACTIVE")
    members = demo.get(f"{GROUPS}/{group['id']}").json()["server_group"]["members"]
    assert members == [server["id"]]
    assert show(demo, server["id"], "2.71").json()["server"]["server_groups"] == [group["id"]]
    demo.delete(f"/compute/v2.1/servers/{server['id']}")
    wait_for(demo, server["id"], "GONE")
    assert demo.get(f"{GROUPS}/{group['id']}").json()["server_group"]["members"] == []


def boot_in(demo, image_id, group_id: str, name: str, expect: int = 202):
    body = {"server": {"name": name, "imageRef": image_id, "flavorRef": "1"},
            "os:scheduler_hints": {"group": group_id}}
    response = demo.post("/compute/v2.1/servers", json=body)
    assert response.status_code == expect, response.text
    return response.json()


def test_hard_anti_affinity_past_one_host_is_error_no_valid_host(demo, image_id):
    group = create(demo, name="aa", policies=["anti-affinity"])["server_group"]
    first = boot_in(demo, image_id, group["id"], "first")["server"]
    wait_for(demo, first["id"], "ACTIVE")
    second = boot_in(demo, image_id, group["id"], "second")["server"]
    failed = wait_for(demo, second["id"], "ERROR")
    assert "No valid host" in failed["fault"]["message"]
    soft = create(demo, "2.15", name="soft", policies=["soft-anti-affinity"])["server_group"]
    for name in ("s1", "s2"):
        server = boot_in(demo, image_id, soft["id"], name)["server"]
        wait_for(demo, server["id"], "ACTIVE")


def test_group_hint_errors(demo, admin, image_id, deployment):
    boot_in(demo, image_id, "not-a-uuid", "x", expect=400)
    boot_in(demo, image_id, "8b1a2c3d-0000-4000-8000-000000000000", "x", expect=400)
    other = create(admin, name="admins", policies=["affinity"])["server_group"]
    boot_in(demo, image_id, other["id"], "x", expect=400)
    project_id = deployment.accounts["demo"].project_id
    admin.put(f"/compute/v2.1/os-quota-sets/{project_id}",
              json={"quota_set": {"server_group_members": 1}})
    group = create(demo, name="small", policies=["affinity"])["server_group"]
    boot_in(demo, image_id, group["id"], "one")
    response = demo.post("/compute/v2.1/servers", json={
        "server": {"name": "two", "imageRef": image_id, "flavorRef": "1"},
        "os:scheduler_hints": {"group": group["id"]}})
    assert response.status_code == 403 and "too many servers in group" in response.text
    assert boot(demo, image_id, name="free")["server"]["id"]
