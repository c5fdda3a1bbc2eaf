from tests.unit.identity.conftest import V3


def test_admin_lists_services_endpoints_regions(admin):
    services = admin.get(f"{V3}/services").json()["services"]
    types = {s["type"]: s for s in services}
    assert {"identity", "compute", "image", "network"} <= set(types)
    compute = types["compute"]
    assert admin.get(f"{V3}/services/{compute['id']}").json()["service"]["name"] == "nova"
    endpoints = admin.get(f"{V3}/endpoints").json()["endpoints"]
    assert len(endpoints) == len(services)
    mine = admin.get(f"{V3}/endpoints?service_id={compute['id']}&interface=public").json()
    assert [e["url"] for e in mine["endpoints"]] == ["http://127.0.0.1:18774/compute/v2.1"]
    assert admin.get(f"{V3}/endpoints?interface=internal").json()["endpoints"] == []
    endpoint = mine["endpoints"][0]
    shown = admin.get(f"{V3}/endpoints/{endpoint['id']}").json()["endpoint"]
    assert shown["region_id"] == "RegionOne" and shown["service_id"] == compute["id"]
    regions = admin.get(f"{V3}/regions").json()["regions"]
    assert [r["id"] for r in regions] == ["RegionOne"]
    assert admin.get(f"{V3}/regions/RegionOne").json()["region"]["parent_region_id"] is None
    assert admin.get(f"{V3}/regions/Elsewhere").status_code == 404


def test_catalog_views_match_the_token_catalog(admin):
    token = admin.get(f"{V3}/auth/tokens", headers={"X-Subject-Token": admin.token}).json()
    in_token = {e["id"] for entry in token["token"]["catalog"] for e in entry["endpoints"]}
    listed = {e["id"] for e in admin.get(f"{V3}/endpoints").json()["endpoints"]}
    assert in_token == listed


def test_catalog_is_read_only(admin):
    response = admin.post(f"{V3}/services", json={"service": {"type": "x"}})
    assert response.status_code == 403
    assert "fixed by pocketstack" in response.json()["error"]["message"]
    assert admin.delete(f"{V3}/regions/RegionOne").status_code == 403
    assert admin.patch(f"{V3}/endpoints/x", json={}).status_code == 403


def test_member_sees_regions_only(demo):
    assert demo.get(f"{V3}/services").status_code == 403
    assert demo.get(f"{V3}/endpoints").status_code == 403
    assert demo.get(f"{V3}/regions").status_code == 200
