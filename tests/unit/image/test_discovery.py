"""Version discovery and the schema documents clients fetch."""


def test_unversioned_root_lists_v2_with_300(client, deployment):
    for path in ("/image/", "/image/v2/"):
        response = client.get(path, headers={"X-OpenStack-Nova-API-Version": "2.1"})
        assert response.status_code == 300
        versions = response.json()["versions"]
        current = [v for v in versions if v["status"] == "CURRENT"]
        assert len(current) == 1 and current[0]["id"].startswith("v2.")
        assert current[0]["links"][0] == {
            "rel": "self", "href": deployment.cloud.settings.url("image/v2/")}
    assert client.get("/image/versions").status_code == 200


def test_schemas(demo):
    image = demo.get("/image/v2/schemas/image").json()
    assert image["name"] == "image"
    assert "docker" in image["properties"]["container_format"]["enum"]
    assert image["properties"]["status"]["readOnly"] is True
    assert image["additionalProperties"] == {"type": "string"}
    assert demo.get("/image/v2/schemas/images").json()["properties"]["images"]["items"] == image
    assert demo.get("/image/v2/schemas/member").json()["name"] == "member"
    assert demo.get("/image/v2/schemas/members").json()["name"] == "members"


def test_unknown_path_and_method_in_glance_envelope(demo):
    response = demo.get("/image/v2/nothing")
    assert response.status_code == 404 and response.json()["code"] == "404 Not Found"
    response = demo.put("/image/v2/images")
    assert response.status_code == 405 and "message" in response.json()
