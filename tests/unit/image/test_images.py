"""Image records: create, show, list (filters, sorting, paging), patch, delete, tags."""

import uuid

from tests.unit.image.conftest import create, names, patch, upload

OWNER_SPECIFIED = {
    "owner_specified.openstack.md5": "abc",
    "owner_specified.openstack.sha256": "def",
    "owner_specified.openstack.object": "images/x",
}


def test_create_returns_queued_glance_shape_with_extra_properties(demo):
    response = demo.post("/image/v2/images", json={
        "name": "one", "container_format": "bare", "disk_format": "qcow2", **OWNER_SPECIFIED})
    assert response.status_code == 201
    image = response.json()
    assert response.headers["Location"] == f"/v2/images/{image['id']}"
    assert image["status"] == "queued" and image["visibility"] == "shared"
    assert image["size"] is None and image["checksum"] is None and image["os_hidden"] is False
    assert image["self"] == f"/v2/images/{image['id']}"
    assert image["file"] == f"/v2/images/{image['id']}/file"
    assert image["schema"] == "/v2/schemas/image"
    for key, value in OWNER_SPECIFIED.items():
        assert image[key] == value
    shown = demo.get(f"/image/v2/images/{image['id']}").json()
    assert shown == image


def test_create_with_given_id_and_duplicate_is_409(demo):
    image_id = str(uuid.uuid4())
    assert create(demo, id=image_id, name="x")["id"] == image_id
    response = demo.post("/image/v2/images", json={"id": image_id})
    assert response.status_code == 409


def test_read_only_and_reserved_attributes_are_403(demo):
    for key, value in (("status", "active"), ("size", 3), ("checksum", "x"),
                       ("deleted", "x"), ("os_glance_foo", "x"), ("self", "x")):
        response = demo.post("/image/v2/images", json={"name": "bad", key: value})
        assert response.status_code == 403, key
        body = response.json()
        assert body["code"] == "403 Forbidden" and body["title"] == "Forbidden"
        assert key in body["message"]


def test_bad_formats_and_types_are_400(demo):
    for body in ({"container_format": "zip"}, {"disk_format": "tarball"},
                 {"min_ram": -1}, {"min_disk": "1"}, {"protected": "yes"},
                 {"visibility": "everyone"}, {"foo": 3}, {"name": "n" * 256},
                 {"tags": "t"}, {"id": "not-a-uuid"}):
        response = demo.post("/image/v2/images", json=body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "400 Bad Request"
    assert demo.post("/image/v2/images", json=[1]).status_code == 400


def test_no_token_is_401(client):
    assert client.get("/image/v2/images").status_code == 401


def test_unknown_image_is_404_in_glance_shape(demo):
    response = demo.get(f"/image/v2/images/{uuid.uuid4()}")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "title", "message"}


def test_list_filters(demo):
    a = create(demo, name="alpha", tags=["web"], disk_format="qcow2", color="red")
    b = create(demo, name="beta", tags=["web", "db"], min_ram=512)
    upload(demo, b["id"], b"12345")
    assert names(demo.get("/image/v2/images?name=alpha")) == ["alpha"]
    assert sorted(names(demo.get("/image/v2/images?tag=web"))) == ["alpha", "beta"]
    assert names(demo.get("/image/v2/images?tag=web&tag=db")) == ["beta"]
    assert names(demo.get("/image/v2/images?disk_format=qcow2")) == ["alpha"]
    assert names(demo.get("/image/v2/images?color=red")) == ["alpha"]
    assert sorted(names(demo.get(f"/image/v2/images?id=in:{a['id']},{b['id']}"))) == [
        "alpha", "beta"]
    assert names(demo.get("/image/v2/images?status=queued")) == ["alpha"]
    assert names(demo.get("/image/v2/images?size_min=5&size_max=5")) == ["beta"]
    assert "base" in names(demo.get("/image/v2/images?visibility=public"))
    assert names(demo.get("/image/v2/images?visibility=private")) == []
    assert demo.get("/image/v2/images?size_min=big").status_code == 400
    assert demo.get("/image/v2/images?visibility=nope").status_code == 400


def test_hidden_images_only_listed_on_request(demo):
    create(demo, name="ghost", os_hidden=True)
    assert "ghost" not in names(demo.get("/image/v2/images"))
    assert names(demo.get("/image/v2/images?os_hidden=true")) == ["ghost"]


def test_sorting(demo):
    for name in ("b", "c", "a"):
        create(demo, name=name)
    mine = "&visibility=shared"
    assert names(demo.get(f"/image/v2/images?sort_key=name&sort_dir=asc{mine}")) == [
        "a", "b", "c"]
    assert names(demo.get(f"/image/v2/images?sort=name:desc{mine}")) == ["c", "b", "a"]
    assert names(demo.get(f"/image/v2/images?{mine}")) == ["a", "c", "b"]  # newest first
    assert demo.get("/image/v2/images?sort_key=colour").status_code == 400
    assert demo.get("/image/v2/images?sort_dir=up").status_code == 400


def test_paging_follows_next_until_an_empty_page(demo):
    for index in range(5):
        create(demo, name=f"img{index}")
    seen, url, pages = [], "/image/v2/images?limit=2&sort_key=name&sort_dir=asc", 0
    while True:
        body = demo.get(url).json()
        pages += 1
        seen += [image["name"] for image in body["images"]]
        if "next" not in body:
            break
        assert body["next"].startswith("/v2/images?")
        url = "/image" + body["next"]
    assert seen == ["base", "img0", "img1", "img2", "img3", "img4"]
    assert pages == 4 and body["images"] == []  # three full pages, then the empty one
    assert demo.get(f"/image/v2/images?marker={uuid.uuid4()}").status_code == 404


def test_patch_add_replace_remove(demo):
    image = create(demo, name="old", color="red")
    response = patch(demo, image["id"], [
        {"op": "replace", "path": "/name", "value": "new"},
        {"op": "add", "path": "/size_hint", "value": "big"},
        {"op": "replace", "path": "/color", "value": "blue"},
        {"op": "add", "path": "/min_ram", "value": 256},
        {"op": "add", "path": "/tags/0", "value": "t1"},
        {"op": "add", "path": "/tags/-", "value": "t2"},
        {"op": "replace", "path": "/protected", "value": True},
    ])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["size_hint"], body["color"]) == ("new", "big", "blue")
    assert body["min_ram"] == 256 and body["tags"] == ["t1", "t2"] and body["protected"]
    response = patch(demo, image["id"], [{"op": "remove", "path": "/color"},
                                         {"op": "replace", "path": "/tags", "value": []}])
    assert "color" not in response.json() and response.json()["tags"] == []


def test_patch_errors_change_nothing(demo):
    image = create(demo, name="keep", color="red")
    cases = [
        ([{"op": "add", "path": "/color", "value": "x"}], 409),
        ([{"op": "remove", "path": "/nothing"}], 409),
        ([{"op": "replace", "path": "/status", "value": "active"}], 403),
        ([{"op": "replace", "path": "/visibility", "value": "public"}], 403),
        ([{"op": "replace", "path": "/min_disk", "value": "x"}], 400),
        ([{"op": "move", "path": "/name", "value": "x"}], 400),
        ([{"op": "replace", "path": "/name", "value": "changed"},
          {"op": "replace", "path": "/id", "value": "x"}], 403),
    ]
    for operations, status in cases:
        assert patch(demo, image["id"], operations).status_code == status, operations
    response = patch(demo, image["id"], [{"op": "replace", "path": "/name", "value": "x"}],
                     content_type="application/json")
    assert response.status_code == 415
    shown = demo.get(f"/image/v2/images/{image['id']}").json()
    assert shown["name"] == "keep" and shown["color"] == "red"


def test_formats_only_change_while_queued(demo):
    image = create(demo, name="f")
    upload(demo, image["id"], b"data")
    operation = [{"op": "replace", "path": "/disk_format", "value": "qcow2"}]
    assert patch(demo, image["id"], operation).status_code == 403


def test_delete_removes_record_and_data(demo, deployment):
    image = create(demo, name="gone")
    assert upload(demo, image["id"], b"bytes").status_code == 204
    stored = deployment.cloud.settings.image_dir / image["id"]
    assert stored.exists()
    assert demo.delete(f"/image/v2/images/{image['id']}").status_code == 204
    assert not stored.exists()
    assert demo.get(f"/image/v2/images/{image['id']}").status_code == 404
    assert demo.delete(f"/image/v2/images/{image['id']}").status_code == 404


def test_protected_image_cannot_be_deleted(demo):
    image = create(demo, name="safe", protected=True)
    assert demo.delete(f"/image/v2/images/{image['id']}").status_code == 403
    patch(demo, image["id"], [{"op": "replace", "path": "/protected", "value": False}])
    assert demo.delete(f"/image/v2/images/{image['id']}").status_code == 204


def test_tags_put_and_delete(demo):
    image = create(demo, name="tagged")
    path = f"/image/v2/images/{image['id']}/tags"
    assert demo.put(f"{path}/blue").status_code == 204
    assert demo.put(f"{path}/blue").status_code == 204
    assert demo.put(f"{path}/red").status_code == 204
    assert demo.get(f"/image/v2/images/{image['id']}").json()["tags"] == ["blue", "red"]
    assert demo.delete(f"{path}/blue").status_code == 204
    assert demo.delete(f"{path}/blue").status_code == 404
    assert demo.get(f"/image/v2/images/{image['id']}").json()["tags"] == ["red"]


def test_deactivate_and_reactivate_by_the_owner_or_admin(admin, demo):
    image = create(demo, name="d")
    actions = f"/image/v2/images/{image['id']}/actions"
    assert admin.post(f"{actions}/deactivate").status_code == 400  # still queued
    upload(demo, image["id"], b"abc")
    assert demo.post(f"{actions}/deactivate").status_code == 204
    assert demo.get(f"/image/v2/images/{image['id']}").json()["status"] == "deactivated"
    assert demo.get(f"/image/v2/images/{image['id']}/file").status_code == 403
    assert admin.get(f"/image/v2/images/{image['id']}/file").content == b"abc"
    assert demo.post(f"{actions}/reactivate").status_code == 204
    assert demo.get(f"/image/v2/images/{image['id']}/file").content == b"abc"
    base = demo.get("/image/v2/images?name=base").json()["images"][0]
    assert demo.post(f"/image/v2/images/{base['id']}/actions/deactivate").status_code == 403
    assert admin.post(f"{actions}/deactivate").status_code == 204


def test_the_v2_0_patch_media_type_names_the_operation_as_the_key(demo):
    image = create(demo, name="old")
    v20 = "application/openstack-images-v2.0-json-patch"
    response = patch(demo, image["id"], [{"replace": "/name", "value": "new"},
                                        {"add": "/color", "value": "blue"}], v20)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "new" and response.json()["color"] == "blue"
    response = patch(demo, image["id"], [{"remove": "/color"}], v20)
    assert "color" not in response.json()
    # In the v2.1 media type that form is not an operation.
    assert patch(demo, image["id"], [{"replace": "/name", "value": "x"}]).status_code == 400


def test_an_empty_image_id_is_404_and_the_list_keeps_its_path(demo):
    assert demo.get("/image/v2/images/").status_code == 404
    assert demo.delete("/image/v2/images/").status_code == 404
    assert demo.get("/image/v2/images").json()["images"]
