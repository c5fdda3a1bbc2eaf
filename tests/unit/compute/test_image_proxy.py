"""Nova's image proxy: ``/compute/v2.1/images`` (up to 2.35) and image metadata (up to 2.38)."""

from __future__ import annotations

from tests.unit.compute.server_helpers import action, mv, wait_for

IMAGES = "/compute/v2.1/images"
UUID = "7b1f2a9c-1111-4c1d-9e2f-0a0b0c0d0e0f"


def glance_image(api, name: str = "img", **extra) -> str:
    body = {"name": name, "container_format": "bare", "disk_format": "raw", **extra}
    response = api.post("/image/v2/images", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_list_show_and_detail(demo, image_id):
    own = glance_image(demo, "mine", os_distro="debian")
    listed = demo.get(IMAGES).json()["images"]
    assert {image["id"] for image in listed} >= {own, image_id}
    first = next(image for image in listed if image["id"] == own)
    assert set(first) == {"id", "name", "links"} and first["name"] == "mine"
    assert [link["rel"] for link in first["links"]] == ["self", "bookmark", "alternate"]
    shown = demo.get(f"{IMAGES}/{own}").json()["image"]
    assert shown["status"] == "SAVING" and shown["progress"] == 25
    assert shown["metadata"] == {"os_distro": "debian"}
    assert shown["minRam"] == 0 and shown["minDisk"] == 0 and "server" not in shown
    base = demo.get(f"{IMAGES}/{image_id}").json()["image"]
    assert base["status"] == "ACTIVE" and base["progress"] == 100
    detailed = demo.get(f"{IMAGES}/detail?name=mine").json()["images"]
    assert [image["id"] for image in detailed] == [own]
    assert detailed[0]["created"].endswith("Z")


def test_filters_and_paging(demo, active_server):
    server_id = active_server["id"]
    answer = action(demo, server_id, {"createImage": {"name": "snap"}})
    snapshot_id = answer.headers["Location"].rsplit("/", 1)[-1]
    wait_for(demo, server_id, "ACTIVE")
    glance_image(demo, "other")
    by_server = demo.get(f"{IMAGES}?server=http://x/servers/{server_id}").json()["images"]
    assert [image["id"] for image in by_server] == [snapshot_id]
    by_type = demo.get(f"{IMAGES}/detail?type=snapshot").json()["images"]
    assert [image["id"] for image in by_type] == [snapshot_id]
    assert by_type[0]["server"]["id"] == server_id and by_type[0]["status"] == "ACTIVE"
    active = demo.get(f"{IMAGES}?status=ACTIVE").json()["images"]
    assert "other" not in {image["name"] for image in active}
    page = demo.get(f"{IMAGES}?limit=1").json()
    assert len(page["images"]) == 1 and page["images_links"][0]["rel"] == "next"
    since = demo.get(f"{IMAGES}?changes-since=2999-01-01T00:00:00Z").json()["images"]
    assert since == []


def test_delete(demo, admin, image_id):
    own = glance_image(demo)
    assert demo.delete(f"{IMAGES}/{own}").status_code == 204
    assert demo.get(f"{IMAGES}/{own}").status_code == 404
    assert demo.delete(f"{IMAGES}/{UUID}").status_code == 404
    assert demo.delete(f"{IMAGES}/").status_code == 404
    assert demo.delete(f"{IMAGES}/{image_id}").status_code == 403  # not demo's
    hidden = glance_image(admin, visibility="private")
    assert demo.get(f"{IMAGES}/{hidden}").status_code == 404


def test_gone_after_2_35(demo, image_id):
    assert demo.get(IMAGES, headers=mv("2.35")).status_code == 200
    assert demo.get(IMAGES, headers=mv("2.36")).status_code == 404
    assert demo.get(f"{IMAGES}/{image_id}", headers=mv("2.36")).status_code == 404
    metadata = f"{IMAGES}/{image_id}/metadata"
    assert demo.get(metadata, headers=mv("2.38")).status_code == 200
    assert demo.get(metadata, headers=mv("2.39")).status_code == 404


def test_metadata(demo):
    own = glance_image(demo, os_distro="debian")
    path = f"{IMAGES}/{own}/metadata"
    assert demo.get(path).json() == {"metadata": {"os_distro": "debian"}}
    merged = demo.post(path, json={"metadata": {"os_version": "12"}})
    assert merged.json() == {"metadata": {"os_distro": "debian", "os_version": "12"}}
    replaced = demo.put(path, json={"metadata": {"a": "b"}})
    assert replaced.json() == {"metadata": {"a": "b"}}
    assert demo.get(f"{path}/a").json() == {"meta": {"a": "b"}}
    assert demo.put(f"{path}/a", json={"meta": {"a": "c"}}).json() == {"meta": {"a": "c"}}
    assert demo.put(f"{path}/a", json={"meta": {"z": "c"}}).status_code == 400
    assert demo.put(f"{path}/a", json={"meta": {"a": "c", "b": "d"}}).status_code == 400
    assert demo.delete(f"{path}/a").status_code == 204
    assert demo.get(f"{path}/a").status_code == 404
    assert demo.delete(f"{path}/a").status_code == 404
    assert demo.get(f"/image/v2/images/{own}").json().get("a") is None
    assert demo.post(path, json={"metadata": {"x": 1}}).status_code == 400
    assert demo.post(path, json={"metadata": {"os_glance_x": "1"}}).status_code == 403


def test_metadata_of_missing_or_foreign_image(demo, admin, image_id):
    for call in (lambda: demo.get(f"{IMAGES}/{UUID}/metadata"),
                 lambda: demo.post(f"{IMAGES}/{UUID}/metadata", json={"metadata": {}}),
                 lambda: demo.put(f"{IMAGES}/{UUID}/metadata", json={"metadata": {}}),
                 lambda: demo.get(f"{IMAGES}/{UUID}/metadata/k"),
                 lambda: demo.put(f"{IMAGES}/{UUID}/metadata/k", json={"meta": {"k": "v"}}),
                 lambda: demo.delete(f"{IMAGES}/{UUID}/metadata/k")):
        assert call().status_code == 404
    changed = demo.post(f"{IMAGES}/{image_id}/metadata", json={"metadata": {"k": "v"}})
    assert changed.status_code == 403


def test_snapshot_metadata_may_name_its_image_type(demo, active_server):
    server_id = active_server["id"]
    body = {"createImage": {"name": "s", "metadata": {"image_type": "test"}}}
    image_id = action(demo, server_id, body).headers["Location"].rsplit("/", 1)[-1]
    wait_for(demo, server_id, "ACTIVE")
    metadata = demo.get(f"{IMAGES}/{image_id}").json()["image"]["metadata"]
    assert metadata["image_type"] == "test" and metadata["instance_uuid"] == server_id
