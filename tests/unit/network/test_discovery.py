from tests.unit.network.conftest import N, error_type, ok


def test_versions_point_at_v2(client):
    body = ok(client.get("/network/"))
    version = body["versions"][0]
    assert version["id"] == "v2.0" and version["status"] == "CURRENT"
    assert version["links"][0]["href"].endswith("/network/v2.0/")


def test_resources_are_listed(client):
    collections = {r["collection"] for r in ok(client.get(f"{N}/"))["resources"]}
    assert {"networks", "subnets", "ports", "routers", "floatingips"} <= collections


def test_extensions_list_and_show(demo):
    aliases = {e["alias"] for e in ok(demo.get(f"{N}/extensions"))["extensions"]}
    assert {"router", "external-net", "security-group", "quotas"} <= aliases
    assert "extra_dhcp_opt" not in aliases
    assert ok(demo.get(f"{N}/extensions/router"))["extension"]["alias"] == "router"


def test_unknown_extension_is_404(demo):
    response = demo.get(f"{N}/extensions/external-gateway-multihoming")
    assert response.status_code == 404
    assert error_type(response) == "ExtensionNotFound"


def test_without_token_is_401_in_neutron_envelope(client):
    response = client.get(f"{N}/networks")
    assert response.status_code == 401
    assert "NeutronError" in response.json()
