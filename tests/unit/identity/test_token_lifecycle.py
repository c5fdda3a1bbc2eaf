from datetime import timedelta

from sqlalchemy import update

from pocketstack.db.base import utcnow
from pocketstack.db.models.identity import Token
from tests.unit.identity.conftest import V3, password_body


def _alive(api) -> bool:
    status = api.get(f"{V3}/auth/catalog").status_code
    assert status in (200, 401)
    return status == 200


def test_disabling_a_user_kills_its_tokens_for_good(admin, make_user):
    user, api = make_user("u")
    assert _alive(api)
    admin.patch(f"{V3}/users/{user['id']}", json={"user": {"enabled": False}})
    assert not _alive(api)
    admin.patch(f"{V3}/users/{user['id']}", json={"user": {"enabled": True}})
    assert not _alive(api), "re-enabling does not bring old tokens back"


def test_deleting_a_user_kills_its_tokens(admin, make_user):
    user, api = make_user("u")
    assert admin.delete(f"{V3}/users/{user['id']}").status_code == 204
    assert not _alive(api)


def test_disabling_or_deleting_a_project_kills_its_tokens(admin, make_user):
    project = admin.post(f"{V3}/projects", json={"project": {"name": "p"}}).json()["project"]
    _user, api = make_user("u", project_id=project["id"])
    _other, api2 = make_user("u2", project_id=project["id"])
    admin.patch(f"{V3}/projects/{project['id']}", json={"project": {"enabled": False}})
    assert not _alive(api)
    admin.patch(f"{V3}/projects/{project['id']}", json={"project": {"enabled": True}})
    assert not _alive(api)
    assert admin.delete(f"{V3}/projects/{project['id']}").status_code == 204
    assert not _alive(api2)


def test_disabling_a_domain_kills_tokens_in_it(admin, client):
    domain = admin.post(f"{V3}/domains", json={"domain": {"name": "d"}}).json()["domain"]
    project = admin.post(f"{V3}/projects", json={"project": {
        "name": "p", "domain_id": domain["id"]}}).json()["project"]
    user = admin.post(f"{V3}/users", json={"user": {
        "name": "u", "password": "pw", "domain_id": domain["id"]}}).json()["user"]
    member = admin.get(f"{V3}/roles?name=member").json()["roles"][0]["id"]
    admin.put(f"{V3}/projects/{project['id']}/users/{user['id']}/roles/{member}")
    body = password_body("u", "pw", project["id"])
    body["auth"]["identity"]["password"]["user"]["domain"] = {"id": domain["id"]}
    response = client.post(f"{V3}/auth/tokens", json=body)
    assert response.status_code == 201
    headers = {"X-Auth-Token": response.headers["X-Subject-Token"]}
    assert client.get(f"{V3}/auth/catalog", headers=headers).status_code == 200
    admin.patch(f"{V3}/domains/{domain['id']}", json={"domain": {"enabled": False}})
    assert client.get(f"{V3}/auth/catalog", headers=headers).status_code == 401
    assert client.post(f"{V3}/auth/tokens", json=body).status_code == 401


def test_losing_every_role_kills_project_tokens(admin, make_user, demo_project_id):
    user, api = make_user("u")
    member = admin.get(f"{V3}/roles?name=member").json()["roles"][0]["id"]
    admin.delete(f"{V3}/projects/{demo_project_id}/users/{user['id']}/roles/{member}")
    assert not _alive(api)


def test_removing_admin_role_takes_effect_at_once(admin, make_user, demo_project_id):
    user, api = make_user("boss", role="admin")
    assert api.get(f"{V3}/users").status_code == 200
    admin_role = admin.get(f"{V3}/roles?name=admin").json()["roles"][0]["id"]
    member = admin.get(f"{V3}/roles?name=member").json()["roles"][0]["id"]
    admin.put(f"{V3}/projects/{demo_project_id}/users/{user['id']}/roles/{member}")
    admin.delete(f"{V3}/projects/{demo_project_id}/users/{user['id']}/roles/{admin_role}")
    assert api.get(f"{V3}/users").status_code in (401, 403)


def test_expired_token_is_401(demo, deployment):
    assert _alive(demo)
    with deployment.cloud.db.session() as session:
        session.execute(update(Token).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = demo.get(f"{V3}/auth/catalog")
    assert response.status_code == 401
    assert response.json()["error"]["title"] == "Unauthorized"


def test_failed_logins_do_not_tell_whether_the_user_exists(client, admin):
    admin.post(f"{V3}/users", json={"user": {"name": "off", "password": "pw", "enabled": False}})
    answers = [
        client.post(f"{V3}/auth/tokens", json=password_body(name, password))
        for name, password in (("demo", "wrong"), ("ghost", "wrong"), ("off", "pw"))
    ]
    assert {response.status_code for response in answers} == {401}
    assert len({response.text for response in answers}) == 1


def test_validating_a_dead_subject_token_is_404(admin, make_user):
    user, api = make_user("u")
    subject = {"X-Subject-Token": api.token}
    assert admin.get(f"{V3}/auth/tokens", headers=subject).status_code == 200
    admin.delete(f"{V3}/users/{user['id']}")
    assert admin.get(f"{V3}/auth/tokens", headers=subject).status_code == 404
    assert admin.request("HEAD", f"{V3}/auth/tokens", headers=subject).status_code == 404


def test_auth_projects_lists_enabled_projects_in_full(demo, deployment):
    body = demo.get(f"{V3}/auth/projects").json()
    assert [p["name"] for p in body["projects"]] == ["demo"]
    assert body["projects"][0]["links"]["self"].endswith(deployment.accounts["demo"].project_id)
    assert body["projects"][0]["domain_id"] == "default"


def test_password_change_needs_no_token(client, make_user):
    user, _api = make_user("u", password="old")
    change = {"user": {"original_password": "old", "password": "new"}}
    assert client.post(f"{V3}/users/{user['id']}/password", json=change).status_code == 204
    assert client.post(f"{V3}/auth/tokens", json=password_body("u", "new")).status_code == 201


def test_openapi_document_describes_identity(client):
    paths = client.get(f"{V3}/openapi.json").json()["paths"]
    assert "/v3/projects/{project_id}" in paths
    assert "/v3/users/{user_id}/application_credentials" in paths
    assert "/v3/role_assignments" in paths
