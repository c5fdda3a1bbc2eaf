"""Microversion negotiation and version discovery for the compute API."""

import pytest

FLAVOR = "/compute/v2.1/flavors/1"


def test_default_is_2_1_with_both_response_headers(demo):
    response = demo.get(FLAVOR)
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert "OpenStack-API-Version" in response.headers["Vary"]
    assert "description" not in response.json()["flavor"]


@pytest.mark.parametrize("headers", [
    {"OpenStack-API-Version": "compute 2.55"},
    {"X-OpenStack-Nova-API-Version": "2.55"},
    {"OpenStack-API-Version": "image 2.1, compute 2.55"},
])
def test_either_header_selects_the_version(demo, headers):
    response = demo.get(FLAVOR, headers=headers)
    assert response.status_code == 200
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.55"
    assert "description" in response.json()["flavor"]


def test_new_header_wins_over_legacy(demo):
    response = demo.get(FLAVOR, headers={"OpenStack-API-Version": "compute 2.60",
                                         "X-OpenStack-Nova-API-Version": "2.3"})
    assert response.headers["OpenStack-API-Version"] == "compute 2.60"


def test_latest_is_the_maximum(demo, client):
    advertised = client.get("/compute/v2.1").json()["version"]["version"]
    response = demo.get(FLAVOR, headers={"OpenStack-API-Version": "compute latest"})
    assert response.headers["OpenStack-API-Version"] == f"compute {advertised}"
    assert response.json()["flavor"]["swap"] == 0


@pytest.mark.parametrize("version", ["2.80", "3.0", "2.0", "1.1"])
def test_out_of_range_is_406(demo, version):
    response = demo.get(FLAVOR, headers={"X-OpenStack-Nova-API-Version": version})
    assert response.status_code == 406
    assert "notAcceptable" in response.json()


@pytest.mark.parametrize("version", ["2.x", "two", "2.01", "2", "2.1.1"])
def test_garbage_is_400(demo, version):
    response = demo.get(FLAVOR, headers={"OpenStack-API-Version": f"compute {version}"})
    assert response.status_code == 400
    assert "badRequest" in response.json()


def test_unversioned_root_lists_v2_1_without_a_token(client):
    response = client.get("/compute/")
    assert response.status_code == 200
    (version,) = response.json()["versions"]
    assert version["id"] == "v2.1" and version["status"] == "CURRENT"
    assert version["min_version"] == "2.1" and version["version"] == "2.79"
    assert version["links"][0]["rel"] == "self"


@pytest.mark.parametrize("path", ["/compute/v2.1", "/compute/v2.1/"])
def test_versioned_root_with_and_without_a_token(client, demo, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 200
    assert anonymous.json()["version"]["id"] == "v2.1"
    assert anonymous.json()["version"]["links"][0]["href"].endswith("/compute/v2.1/")
    assert demo.get(path).json() == anonymous.json()


def test_resources_need_a_token(client):
    response = client.get(FLAVOR)
    assert response.status_code == 401
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.1"
