from tests.conftest import issue_token


def test_discovery_lists_v3(client):
    response = client.get("/identity/v3")
    assert response.status_code == 200
    version = response.json()["version"]
    assert version["id"].startswith("v3.")
    assert version["links"][0]["rel"] == "self"


def test_password_auth_returns_token_and_catalog(client, deployment):
    token = issue_token(client, "demo", deployment.accounts["demo"].password, "demo")
    response = client.get("/identity/v3/auth/tokens",
                          headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert response.status_code == 200
    body = response.json()["token"]
    assert body["project"]["name"] == "demo"
    assert {r["name"] for r in body["roles"]} == {"member", "reader"}
    types = {entry["type"] for entry in body["catalog"]}
    assert {"identity", "compute", "image", "network"} <= types


def test_wrong_password_is_401_in_keystone_envelope(client):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "demo", "domain": {"id": "default"}, "password": "wrong"}}}}}
    response = client.post("/identity/v3/auth/tokens", json=body)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


def test_revoked_token_stops_working(client, demo):
    assert demo.get("/identity/v3/auth/catalog").status_code == 200
    response = demo.delete("/identity/v3/auth/tokens", headers={"X-Subject-Token": demo.token})
    assert response.status_code == 204
    assert demo.get("/identity/v3/auth/catalog").status_code == 401


def test_bad_json_is_400(client):
    response = client.post("/identity/v3/auth/tokens", content=b"{not json",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "error" in response.json()
