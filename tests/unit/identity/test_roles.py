from tests.unit.identity.conftest import V3, role_id


def test_list_create_update_delete_role(admin):
    names = [r["name"] for r in admin.get(f"{V3}/roles").json()["roles"]]
    assert names == ["admin", "member", "reader"]
    assert [r["name"] for r in admin.get(f"{V3}/roles?name=reader").json()["roles"]] == ["reader"]
    response = admin.post(f"{V3}/roles", json={"role": {"name": "ops", "description": "d"}})
    assert response.status_code == 201
    role = response.json()["role"]
    assert role["domain_id"] is None and role["links"]["self"].endswith(role["id"])
    assert admin.get(f"{V3}/roles/{role['id']}").json()["role"]["description"] == "d"
    renamed = admin.patch(f"{V3}/roles/{role['id']}", json={"role": {"name": "ops2"}})
    assert renamed.json()["role"]["name"] == "ops2"
    assert admin.delete(f"{V3}/roles/{role['id']}").status_code == 204
    assert admin.get(f"{V3}/roles/{role['id']}").status_code == 404


def test_duplicate_role_is_409_and_built_ins_stay(admin):
    assert admin.post(f"{V3}/roles", json={"role": {"name": "member"}}).status_code == 409
    member = role_id(admin, "member")
    assert admin.delete(f"{V3}/roles/{member}").status_code == 403
    assert admin.patch(f"{V3}/roles/{member}", json={"role": {"name": "m"}}).status_code == 403


def test_member_cannot_manage_roles(demo):
    assert demo.get(f"{V3}/roles").status_code == 403
    assert demo.post(f"{V3}/roles", json={"role": {"name": "x"}}).status_code == 403


def test_project_grant_lifecycle(admin, demo_project_id):
    user = admin.post(f"{V3}/users", json={"user": {"name": "u"}}).json()["user"]
    ops = admin.post(f"{V3}/roles", json={"role": {"name": "ops"}}).json()["role"]
    path = f"{V3}/projects/{demo_project_id}/users/{user['id']}/roles"
    assert admin.request("HEAD", f"{path}/{ops['id']}").status_code == 404
    assert admin.put(f"{path}/{ops['id']}").status_code == 204
    assert admin.put(f"{path}/{ops['id']}").status_code == 204, "granting twice is fine"
    assert admin.request("HEAD", f"{path}/{ops['id']}").status_code == 204
    assert [r["name"] for r in admin.get(path).json()["roles"]] == ["ops"]
    assert admin.delete(f"{path}/{ops['id']}").status_code == 204
    assert admin.get(path).json()["roles"] == []
    assert admin.delete(f"{path}/{ops['id']}").status_code == 404


def test_grant_on_missing_things_is_404(admin, demo_project_id, deployment):
    user = deployment.accounts["demo"].user_id
    member = role_id(admin, "member")
    assert admin.put(f"{V3}/projects/nope/users/{user}/roles/{member}").status_code == 404
    assert admin.put(f"{V3}/projects/{demo_project_id}/users/nope/roles/{member}").status_code \
        == 404
    assert admin.put(f"{V3}/projects/{demo_project_id}/users/{user}/roles/nope").status_code \
        == 404


def test_domain_grants(admin):
    user = admin.post(f"{V3}/users", json={"user": {"name": "u"}}).json()["user"]
    reader = role_id(admin, "reader")
    path = f"{V3}/domains/default/users/{user['id']}/roles"
    assert admin.put(f"{path}/{reader}").status_code == 204
    assert admin.request("HEAD", f"{path}/{reader}").status_code == 204
    assert [r["name"] for r in admin.get(path).json()["roles"]] == ["reader"]
    found = admin.get(f"{V3}/role_assignments?scope.domain.id=default").json()
    assert [a["user"]["id"] for a in found["role_assignments"]] == [user["id"]]
    assert admin.delete(f"{path}/{reader}").status_code == 204


def test_member_cannot_grant(demo, admin, demo_project_id, deployment):
    user = deployment.accounts["demo"].user_id
    path = f"{V3}/projects/{demo_project_id}/users/{user}/roles/{role_id(admin, 'admin')}"
    assert demo.put(path).status_code == 403
    assert demo.get(f"{V3}/role_assignments").status_code == 403


def test_role_assignments_filters_and_names(admin, deployment, demo_project_id):
    demo_user = deployment.accounts["demo"].user_id
    body = admin.get(f"{V3}/role_assignments",
                     params={"scope.project.id": demo_project_id}).json()
    assert body["links"]["self"]
    found = body["role_assignments"]
    assert len(found) == 2
    assert all(a["scope"] == {"project": {"id": demo_project_id}} for a in found)
    assert found[0]["links"]["assignment"].endswith(
        f"/projects/{demo_project_id}/users/{demo_user}/roles/{found[0]['role']['id']}")
    member = role_id(admin, "member")
    only = admin.get(f"{V3}/role_assignments", params={
        "user.id": demo_user, "role.id": member, "effective": ""}).json()["role_assignments"]
    assert [a["role"] for a in only] == [{"id": member}]
    named = admin.get(f"{V3}/role_assignments", params={
        "scope.project.id": demo_project_id, "include_names": "True"}).json()["role_assignments"]
    first = named[0]
    assert first["user"]["name"] == "demo"
    assert first["user"]["domain"] == {"id": "default", "name": "Default"}
    assert first["scope"]["project"]["name"] == "demo"
    assert first["scope"]["project"]["domain"]["name"] == "Default"
    assert {a["role"]["name"] for a in named} == {"member", "reader"}
    assert admin.get(f"{V3}/role_assignments?group.id=g").json()["role_assignments"] == []
