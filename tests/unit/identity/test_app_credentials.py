from tests.conftest import Api
from tests.unit.identity.conftest import V3, role_id


def _path(user_id: str) -> str:
    return f"{V3}/users/{user_id}/application_credentials"


def _login(client, credential_id: str, secret: str):
    body = {"auth": {"identity": {"methods": ["application_credential"],
                                  "application_credential": {"id": credential_id,
                                                             "secret": secret}}}}
    return client.post(f"{V3}/auth/tokens", json=body)


def _create(api, user_id: str, **fields):
    return api.post(_path(user_id), json={"application_credential": fields})


def test_create_returns_secret_once_and_token_roles(make_user, demo_project_id):
    user, api = make_user("u")
    response = _create(api, user["id"], name="ci", description="d")
    assert response.status_code == 201
    credential = response.json()["application_credential"]
    assert len(credential["secret"]) >= 32
    assert credential["project_id"] == demo_project_id
    assert [r["name"] for r in credential["roles"]] == ["member"]
    assert credential["unrestricted"] is False and credential["expires_at"] is None
    shown = api.get(f"{_path(user['id'])}/{credential['id']}").json()["application_credential"]
    assert "secret" not in shown and shown["name"] == "ci"
    listed = api.get(_path(user["id"])).json()["application_credentials"]
    assert [c["name"] for c in listed] == ["ci"] and "secret" not in listed[0]


def test_authenticate_with_application_credential(client, make_user, demo_project_id):
    user, api = make_user("u")
    credential = _create(api, user["id"], name="ci", secret="s3cret").json()[
        "application_credential"]
    response = _login(client, credential["id"], "s3cret")
    assert response.status_code == 201
    token = response.json()["token"]
    assert token["project"]["id"] == demo_project_id
    assert token["application_credential"] == {"id": credential["id"], "name": "ci",
                                               "restricted": True}
    assert [r["name"] for r in token["roles"]] == ["member"]
    assert _login(client, credential["id"], "wrong").status_code == 401
    by_name = {"auth": {"identity": {"methods": ["application_credential"],
                                     "application_credential": {
                                         "name": "ci", "secret": "s3cret",
                                         "user": {"name": "u", "domain": {"id": "default"}}}}}}
    assert client.post(f"{V3}/auth/tokens", json=by_name).status_code == 201


def test_roles_are_limited_to_those_chosen(client, make_user, admin, demo_project_id):
    user, api = make_user("u")
    reader = role_id(admin, "reader")
    admin.put(f"{V3}/projects/{demo_project_id}/users/{user['id']}/roles/{reader}")
    credential = _create(api, user["id"], name="ro", secret="s", roles=[{"name": "reader"}]
                         ).json()["application_credential"]
    assert [r["name"] for r in credential["roles"]] == ["reader"]
    token = _login(client, credential["id"], "s").json()["token"]
    assert [r["name"] for r in token["roles"]] == ["reader"]
    response = _create(api, user["id"], name="x", roles=[{"name": "admin"}])
    assert response.status_code == 404


def test_restricted_token_cannot_manage_credentials(client, make_user):
    user, api = make_user("u")
    restricted = _create(api, user["id"], name="r", secret="s").json()["application_credential"]
    free = _create(api, user["id"], name="f", secret="s", unrestricted=True).json()[
        "application_credential"]
    as_restricted = Api(client, _login(client, restricted["id"], "s").headers["X-Subject-Token"])
    assert _create(as_restricted, user["id"], name="n").status_code == 403
    assert as_restricted.delete(f"{_path(user['id'])}/{free['id']}").status_code == 403
    assert as_restricted.get(_path(user["id"])).status_code == 200
    as_free = Api(client, _login(client, free["id"], "s").headers["X-Subject-Token"])
    assert _create(as_free, user["id"], name="n").status_code == 201


def test_token_method_refused_for_application_credential_tokens(client, make_user):
    user, api = make_user("u")
    credential = _create(api, user["id"], name="c", secret="s").json()["application_credential"]
    token = _login(client, credential["id"], "s").headers["X-Subject-Token"]
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": token}}}}
    assert client.post(f"{V3}/auth/tokens", json=body).status_code == 401


def test_expiry_and_deletion_end_credentials(client, make_user, deployment):
    user, api = make_user("u")
    response = _create(api, user["id"], name="c", secret="s", expires_at="2999-01-01T00:00:00Z")
    credential = response.json()["application_credential"]
    assert credential["expires_at"].startswith("2999-01-01T00:00:00")
    token = _login(client, credential["id"], "s").json()["token"]
    assert token["expires_at"] < "2999"
    assert _create(api, user["id"], name="old", expires_at="2000-01-01T00:00:00"
                   ).status_code == 400
    login = _login(client, credential["id"], "s").headers["X-Subject-Token"]
    assert api.delete(f"{_path(user['id'])}/{credential['id']}").status_code == 204
    assert _login(client, credential["id"], "s").status_code == 401
    headers = {"X-Auth-Token": login}
    assert client.get(f"{V3}/auth/catalog", headers=headers).status_code == 401


def test_duplicate_name_bad_bodies_and_other_users(make_user, demo, admin, deployment):
    user, api = make_user("u")
    assert _create(api, user["id"], name="c").status_code == 201
    assert _create(api, user["id"], name="c").status_code == 409
    assert _create(api, user["id"]).status_code == 400
    assert _create(api, user["id"], name="c2", bogus=1).status_code == 400
    assert _create(api, user["id"], name="c3", unrestricted="yes").status_code == 400
    assert _create(demo, user["id"], name="theirs").status_code == 403
    assert demo.get(_path(user["id"])).status_code == 403
    assert _create(admin, user["id"], name="for-them").status_code == 403
    assert [c["name"] for c in admin.get(_path(user["id"])).json()[
        "application_credentials"]] == ["c"]
    assert [c["name"] for c in api.get(_path(user["id"]) + "?name=zzz").json()[
        "application_credentials"]] == []


def test_losing_the_role_deletes_the_credential(client, make_user, admin, demo_project_id):
    user, api = make_user("u")
    credential = _create(api, user["id"], name="c", secret="s").json()["application_credential"]
    member = role_id(admin, "member")
    admin.delete(f"{V3}/projects/{demo_project_id}/users/{user['id']}/roles/{member}")
    assert _login(client, credential["id"], "s").status_code == 401
    assert admin.get(f"{_path(user['id'])}/{credential['id']}").status_code == 404
