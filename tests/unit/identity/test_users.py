from tests.conftest import issue_token
from tests.unit.identity.conftest import V3, password_body


def test_create_user_with_optional_attributes(admin, demo_project_id):
    response = admin.post(f"{V3}/users", json={"user": {
        "name": "u", "password": "secret", "default_project_id": demo_project_id,
        "email": "u@example.org", "description": "player", "enabled": True}})
    assert response.status_code == 201
    user = response.json()["user"]
    assert user["domain_id"] == "default" and user["email"] == "u@example.org"
    assert user["default_project_id"] == demo_project_id and user["description"] == "player"
    assert "password" not in user and user["password_expires_at"] is None
    assert user["links"]["self"].endswith(f"/v3/users/{user['id']}")


def test_user_without_password_cannot_log_in(admin, client):
    admin.post(f"{V3}/users", json={"user": {"name": "nopw"}})
    response = client.post(f"{V3}/auth/tokens", json=password_body("nopw", ""))
    assert response.status_code == 401


def _names(admin, query: str) -> list[str]:
    return [row["name"] for row in admin.get(f"{V3}/users{query}").json()["users"]]


def test_list_filters(admin):
    admin.post(f"{V3}/users", json={"user": {"name": "off", "enabled": False}})
    assert _names(admin, "") == ["admin", "demo", "off"]
    assert _names(admin, "?name=demo") == ["demo"]
    assert _names(admin, "?enabled=false") == ["off"]
    assert _names(admin, "?domain_id=default&enabled=1") == ["admin", "demo"]


def test_update_user_and_duplicate_name(admin):
    user = admin.post(f"{V3}/users", json={"user": {"name": "u"}}).json()["user"]
    body = admin.patch(f"{V3}/users/{user['id']}", json={"user": {
        "email": "new@example.org", "name": "u2"}}).json()["user"]
    assert (body["name"], body["email"]) == ("u2", "new@example.org")
    response = admin.patch(f"{V3}/users/{user['id']}", json={"user": {"name": "demo"}})
    assert response.status_code == 409
    assert admin.post(f"{V3}/users", json={"user": {"name": "demo"}}).status_code == 409


def test_admin_resets_password(admin, client, make_user):
    user, _api = make_user("u", password="old")
    admin.patch(f"{V3}/users/{user['id']}", json={"user": {"password": "new"}})
    assert client.post(f"{V3}/auth/tokens", json=password_body("u", "old")).status_code == 401
    assert client.post(f"{V3}/auth/tokens", json=password_body("u", "new")).status_code == 201


def test_user_changes_own_password(client, make_user):
    user, api = make_user("u", password="old")
    change = {"user": {"original_password": "old", "password": "new"}}
    assert api.post(f"{V3}/users/{user['id']}/password", json=change).status_code == 204
    assert client.post(f"{V3}/auth/tokens", json=password_body("u", "old")).status_code == 401
    assert issue_token(client, "u", "new", "demo")
    assert api.get(f"{V3}/users/{user['id']}").status_code == 401, "old tokens are revoked"


def test_password_change_needs_the_original(client, make_user):
    user, api = make_user("u", password="old")
    wrong = {"user": {"original_password": "nope", "password": "new"}}
    assert api.post(f"{V3}/users/{user['id']}/password", json=wrong).status_code == 401
    missing = {"user": {"password": "new"}}
    assert api.post(f"{V3}/users/{user['id']}/password", json=missing).status_code == 400


def test_member_reads_itself_only(demo, deployment):
    me = deployment.accounts["demo"].user_id
    assert demo.get(f"{V3}/users/{me}").json()["user"]["name"] == "demo"
    assert demo.get(f"{V3}/users/{deployment.accounts['admin'].user_id}").status_code == 403
    assert demo.get(f"{V3}/users").status_code == 403
    assert demo.post(f"{V3}/users", json={"user": {"name": "x"}}).status_code == 403
    assert demo.patch(f"{V3}/users/{me}", json={"user": {"enabled": False}}).status_code == 403
    assert demo.delete(f"{V3}/users/{me}").status_code == 403


def test_delete_user(admin):
    user = admin.post(f"{V3}/users", json={"user": {"name": "u"}}).json()["user"]
    assert admin.delete(f"{V3}/users/{user['id']}").status_code == 204
    assert admin.get(f"{V3}/users/{user['id']}").status_code == 404


def test_bad_user_bodies_are_400(admin):
    for user in ({}, {"name": ""}, {"name": "x", "enabled": "true"}, {"name": "x", "password": 5}):
        assert admin.post(f"{V3}/users", json={"user": user}).status_code == 400, user
