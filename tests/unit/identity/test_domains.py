from tests.unit.identity.conftest import V3


def test_admin_lists_and_filters_domains(admin):
    body = admin.get(f"{V3}/domains").json()
    assert [d["id"] for d in body["domains"]] == ["default"]
    assert body["links"]["next"] is None
    assert body["domains"][0]["links"]["self"].endswith("/identity/v3/domains/default")
    admin.post(f"{V3}/domains", json={"domain": {"name": "off", "enabled": False}})
    names = [d["name"] for d in admin.get(f"{V3}/domains?enabled=false").json()["domains"]]
    assert names == ["off"]
    names = [d["name"] for d in admin.get(f"{V3}/domains?name=Default").json()["domains"]]
    assert names == ["Default"]


def test_create_show_update_domain(admin):
    response = admin.post(f"{V3}/domains", json={"domain": {"name": "acme", "description": "a"}})
    assert response.status_code == 201
    domain = response.json()["domain"]
    assert domain["enabled"] is True and domain["description"] == "a"
    shown = admin.get(f"{V3}/domains/{domain['id']}").json()["domain"]
    assert shown["name"] == "acme"
    updated = admin.patch(f"{V3}/domains/{domain['id']}",
                          json={"domain": {"name": "acme2", "enabled": False}}).json()["domain"]
    assert (updated["name"], updated["enabled"]) == ("acme2", False)


def test_duplicate_domain_name_is_409(admin):
    assert admin.post(f"{V3}/domains", json={"domain": {"name": "x"}}).status_code == 201
    response = admin.post(f"{V3}/domains", json={"domain": {"name": "x"}})
    assert response.status_code == 409
    assert response.json()["error"]["title"] == "Conflict"


def test_enabled_domain_cannot_be_deleted(admin):
    domain = admin.post(f"{V3}/domains", json={"domain": {"name": "gone"}}).json()["domain"]
    response = admin.delete(f"{V3}/domains/{domain['id']}")
    assert response.status_code == 403
    assert "disable it first" in response.json()["error"]["message"]
    admin.patch(f"{V3}/domains/{domain['id']}", json={"domain": {"enabled": False}})
    assert admin.delete(f"{V3}/domains/{domain['id']}").status_code == 204
    assert admin.get(f"{V3}/domains/{domain['id']}").status_code == 404


def test_deleting_a_domain_deletes_its_projects_and_users(admin):
    domain = admin.post(f"{V3}/domains", json={"domain": {"name": "d"}}).json()["domain"]
    project = admin.post(f"{V3}/projects", json={"project": {
        "name": "p", "domain_id": domain["id"]}}).json()["project"]
    user = admin.post(f"{V3}/users", json={"user": {
        "name": "u", "domain_id": domain["id"]}}).json()["user"]
    admin.patch(f"{V3}/domains/{domain['id']}", json={"domain": {"enabled": False}})
    assert admin.delete(f"{V3}/domains/{domain['id']}").status_code == 204
    assert admin.get(f"{V3}/projects/{project['id']}").status_code == 404
    assert admin.get(f"{V3}/users/{user['id']}").status_code == 404


def test_default_domain_is_protected(admin):
    response = admin.patch(f"{V3}/domains/default", json={"domain": {"enabled": False}})
    assert response.status_code == 403
    assert admin.delete(f"{V3}/domains/default").status_code == 403


def test_member_cannot_manage_domains_but_reads_its_own(demo):
    assert demo.get(f"{V3}/domains").status_code == 403
    assert demo.post(f"{V3}/domains", json={"domain": {"name": "no"}}).status_code == 403
    assert demo.get(f"{V3}/domains/default").status_code == 200
    error = demo.delete(f"{V3}/domains/default").json()["error"]
    assert error == {"code": 403, "title": "Forbidden",
                     "message": "You are not authorized to perform the requested action: "
                                "identity:delete_domain."}


def test_bad_domain_bodies_are_400(admin):
    for body in ({}, {"domain": {}}, {"domain": {"name": ""}},
                 {"domain": {"name": "a", "enabled": "yes"}}, {"domain": {"name": 3}}):
        response = admin.post(f"{V3}/domains", json=body)
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == 400
    response = admin.patch(f"{V3}/domains/default", json={"domain": {}})
    assert response.status_code == 400
