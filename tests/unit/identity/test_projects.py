from tests.unit.identity.conftest import V3


def _create(admin, **project):
    return admin.post(f"{V3}/projects", json={"project": project})


def test_create_defaults_to_callers_domain_and_keeps_extras(admin):
    response = _create(admin, name="game", description="web game", tags=["prod"], owner="ops")
    assert response.status_code == 201
    project = response.json()["project"]
    assert project["domain_id"] == "default"
    assert project["parent_id"] == "default" and project["is_domain"] is False
    assert project["tags"] == ["prod"] and project["owner"] == "ops"
    assert project["links"]["self"].endswith(f"/v3/projects/{project['id']}")
    assert admin.get(f"{V3}/projects/{project['id']}").json()["project"] == project


def _names(admin, query: str) -> list[str]:
    return [row["name"] for row in admin.get(f"{V3}/projects{query}").json()["projects"]]


def test_list_filters(admin):
    _create(admin, name="a", enabled=False)
    assert _names(admin, "") == ["a", "admin", "demo"]
    assert _names(admin, "?name=demo") == ["demo"]
    assert _names(admin, "?enabled=false") == ["a"]
    assert _names(admin, "?enabled=true") == ["admin", "demo"]
    assert _names(admin, "?domain_id=default&name=a") == ["a"]
    assert _names(admin, "?domain_id=nowhere") == []


def test_update_name_description_enabled(admin):
    project = _create(admin, name="p").json()["project"]
    response = admin.patch(f"{V3}/projects/{project['id']}", json={"project": {
        "name": "p2", "description": "d", "enabled": False}})
    assert response.status_code == 200
    body = response.json()["project"]
    assert (body["name"], body["description"], body["enabled"]) == ("p2", "d", False)
    response = admin.patch(f"{V3}/projects/{project['id']}",
                           json={"project": {"domain_id": "other"}})
    assert response.status_code == 400


def test_duplicate_name_in_domain_is_409(admin):
    assert _create(admin, name="demo").status_code == 409
    project = _create(admin, name="x").json()["project"]
    response = admin.patch(f"{V3}/projects/{project['id']}", json={"project": {"name": "demo"}})
    assert response.status_code == 409


def test_unknown_domain_is_404_and_bad_bodies_400(admin):
    assert _create(admin, name="x", domain_id="nope").status_code == 404
    for project in ({}, {"name": ""}, {"name": "x" * 65}, {"name": "x", "enabled": 1},
                    {"name": "x", "tags": "t"}):
        assert _create(admin, **project).status_code == 400, project
    response = admin.post(f"{V3}/projects", content=b"{", headers={
        "Content-Type": "application/json"})
    assert response.status_code == 400


def test_delete_project(admin):
    project = _create(admin, name="p").json()["project"]
    assert admin.delete(f"{V3}/projects/{project['id']}").status_code == 204
    response = admin.get(f"{V3}/projects/{project['id']}")
    assert response.status_code == 404
    assert response.json()["error"]["title"] == "Not Found"
    assert admin.delete(f"{V3}/projects/{project['id']}").status_code == 404


def test_member_reads_only_its_scoped_project(demo, admin, deployment):
    demo_id = deployment.accounts["demo"].project_id
    admin_id = deployment.accounts["admin"].project_id
    assert demo.get(f"{V3}/projects/{demo_id}").json()["project"]["name"] == "demo"
    assert demo.get(f"{V3}/projects/{admin_id}").status_code == 403
    assert demo.get(f"{V3}/projects").status_code == 403
    assert demo.post(f"{V3}/projects", json={"project": {"name": "x"}}).status_code == 403
    assert demo.patch(f"{V3}/projects/{demo_id}",
                      json={"project": {"name": "y"}}).status_code == 403
    assert demo.delete(f"{V3}/projects/{demo_id}").status_code == 403


def test_user_lists_its_own_projects(demo, admin, deployment):
    demo_user = deployment.accounts["demo"].user_id
    body = demo.get(f"{V3}/users/{demo_user}/projects").json()
    assert [p["name"] for p in body["projects"]] == ["demo"]
    admin_user = deployment.accounts["admin"].user_id
    assert demo.get(f"{V3}/users/{admin_user}/projects").status_code == 403
    assert [p["name"] for p in admin.get(f"{V3}/users/{demo_user}/projects").json()["projects"]
            ] == ["demo"]
