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
