"""Every service serves its OpenAPI document next to its versioned root."""

import pytest

DOCUMENTS = {
    "/identity/v3/openapi.json": "/v3/auth/tokens",
    "/compute/v2.1/openapi.json": "/v2.1/servers",
    "/image/v2/openapi.json": "/v2/images",
    "/network/v2.0/openapi.json": "/v2.0/networks",
}


@pytest.mark.parametrize(("url", "expected_path"), DOCUMENTS.items())
def test_service_serves_its_openapi_document(client, url, expected_path):
    response = client.get(url)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert expected_path in document["paths"]


@pytest.mark.parametrize("url", ["/identity/v3", "/compute/v2.1", "/image/v2/images",
                                 "/network/v2.0/networks"])
def test_every_response_names_its_request(admin, url):
    response = admin.get(url)
    request_id = response.headers["x-openstack-request-id"]
    assert request_id.startswith("req-") and len(request_id) == 40
    if url.startswith("/compute"):
        assert response.headers["x-compute-request-id"] == request_id
