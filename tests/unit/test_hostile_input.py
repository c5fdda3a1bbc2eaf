"""Hostile input: every bad request gets a 4xx in its service's envelope and changes nothing.

Oversized and deeply nested bodies, invalid UTF-8, NUL characters, path traversal in
names and in image data, and CR/LF aimed at response headers.
"""

from __future__ import annotations

import io
import json
import tarfile

import anyio
import pytest

from pocketstack.drivers.compute.layers import LayerCache
from pocketstack.errors import DriverError
from pocketstack.services.image.bootstrap import DEFAULT_IMAGE_ID
from tests.unit.compute.server_helpers import boot, wait_for

SERVICES = {  # a create route of each service and a key its error body has
    "compute": ("/compute/v2.1/os-keypairs", "badRequest"),
    "network": ("/network/v2.0/networks", "NeutronError"),
    "identity": ("/identity/v3/projects", "error"),
    "image": ("/image/v2/images", "message"),
}
JSON = {"Content-Type": "application/json"}


def state(admin, demo) -> dict:
    """What a bad request must not change: the lists each service shows."""
    lists = {
        "servers": admin.get("/compute/v2.1/servers?all_tenants=1"),
        "keypairs": demo.get("/compute/v2.1/os-keypairs"),
        "flavors": admin.get("/compute/v2.1/flavors?is_public=None"),
        "images": admin.get("/image/v2/images"),
        "networks": admin.get("/network/v2.0/networks"),
        "projects": admin.get("/identity/v3/projects"),
        "users": admin.get("/identity/v3/users"),
    }
    assert all(response.status_code == 200 for response in lists.values())
    return {name: response.json() for name, response in lists.items()}


@pytest.fixture
def unchanged(admin, demo):
    before = state(admin, demo)
    yield
    assert state(admin, demo) == before


def refused(response, key: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert key in response.json()


@pytest.mark.parametrize("service", SERVICES)
def test_oversized_body_is_413(service, admin, unchanged):
    path, key = SERVICES[service]
    body = json.dumps({"name": "x" * (2 << 20)})
    refused(admin.post(path, content=body, headers=JSON),
            "overLimit" if service == "compute" else key, 413)


@pytest.mark.parametrize("service", SERVICES)
def test_deeply_nested_json_is_400_not_a_recursion_error(service, admin, unchanged):
    path, key = SERVICES[service]
    depth = 100_000
    refused(admin.post(path, content="[" * depth + "]" * depth, headers=JSON), key)
    nested = '{"a":' * depth + "1" + "}" * depth
    refused(admin.post(path, content=nested, headers=JSON), key)


@pytest.mark.parametrize("service", SERVICES)
def test_invalid_utf8_body_is_400(service, admin, unchanged):
    path, key = SERVICES[service]
    refused(admin.post(path, content=b'{"name": "\xff\xfe\xc3("}', headers=JSON), key)


@pytest.mark.parametrize("path", ["/compute/v2.1/servers/detail?name=%ff%fe",
                                  "/network/v2.0/networks?name=%c3%28",
                                  "/image/v2/images?name=%ff", "/identity/v3/users?name=%ff"])
def test_invalid_utf8_query_is_answered_without_error(path, admin, unchanged):
    assert admin.get(path).status_code < 500


@pytest.mark.parametrize("service", SERVICES)
def test_nul_in_path_query_or_body_is_400(service, admin, unchanged):
    path, key = SERVICES[service]
    refused(admin.get(f"{path}/a%00b"), key)
    refused(admin.get(f"{path}?name=a%00b"), key)
    refused(admin.post(path, content=json.dumps({"x": {"name": "a\0b"}}), headers=JSON), key)


def test_an_escaped_backslash_before_u0000_is_not_a_nul(demo):
    body = {"network": {"name": "n", "description": "C:\\u0000"}}
    response = demo.post("/network/v2.0/networks", json=body)
    assert response.status_code == 201
    assert response.json()["network"]["description"] == "C:\\u0000"


@pytest.mark.parametrize("name", ["../../etc/passwd", "a\nb", "x" * 256])
def test_bad_keypair_names_are_400(name, demo, unchanged):
    response = demo.post("/compute/v2.1/os-keypairs", json={"keypair": {"name": name}})
    refused(response, "badRequest")


@pytest.mark.parametrize("path,body,key", [
    ("/compute/v2.1/servers", {"server": {"name": "x" * 256, "flavorRef": "1",
                                          "imageRef": DEFAULT_IMAGE_ID}}, "badRequest"),
    ("/image/v2/images", {"name": "x" * 256}, "message"),
    ("/network/v2.0/networks", {"network": {"name": "x" * 256}}, "NeutronError"),
    ("/image/v2/images", {"id": "../../x", "name": "n"}, "message"),
])
def test_overlong_names_and_path_like_ids_are_400(path, body, key, demo, unchanged):
    response = demo.post(path, json=body)
    refused(response, key)
    assert "name" in response.text or "id" in response.text


def test_a_path_like_image_name_is_only_a_name(demo, deployment):
    image = demo.post("/image/v2/images", json={
        "name": "../../../escape", "container_format": "bare", "disk_format": "raw"}).json()
    upload = demo.put(f"/image/v2/images/{image['id']}/file", content=b"data",
                      headers={"Content-Type": "application/octet-stream"})
    assert upload.status_code == 204
    assert demo.get(f"/image/v2/images/{image['id']}").json()["name"] == "../../../escape"
    image_dir = deployment.cloud.settings.image_dir
    assert (image_dir / image["id"]).read_bytes() == b"data"
    data_dir = deployment.cloud.settings.data_dir
    assert not any("escape" in path.name for path in data_dir.parent.rglob("*"))


def _tar(path, *members) -> str:
    with tarfile.open(path, "w") as archive:
        archive.addfile(*_file("etc/ok", b"fine"))
        for info, content in members:
            archive.addfile(info, content)
    return str(path)


def _file(name: str, content: bytes = b"pwned"):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    return info, io.BytesIO(content)


def _special(name: str, kind: bytes, link: str = "", device=(0, 0)):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.devmajor, info.devminor = device
    return info, None


def hostile_members(outside) -> dict:
    return {
        "dotdot": [_file("../../escaped")],
        "absolute": [_file(f"{outside}/escaped")],
        "symlink out": [_special("link", tarfile.SYMTYPE, str(outside)),
                        _file("link/escaped")],
        "relative symlink out": [_special("rel", tarfile.SYMTYPE, "../../outside"),
                                 _file("rel/escaped")],
        "hard link out": [_special("hard", tarfile.LNKTYPE, f"{outside}/victim")],
        "block device": [_special("dev/sda", tarfile.BLKTYPE, device=(8, 0))],
        "char device": [_special("root/mem", tarfile.CHRTYPE, device=(1, 1))],
    }


@pytest.mark.parametrize("kind", list(hostile_members("/x")))
def test_image_data_that_reaches_out_of_its_layer_is_refused(kind, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("victim")
    images = tmp_path / "images"
    images.mkdir()
    data = _tar(images / "11111111-2222-3333-4444-555555555555",
                *hostile_members(outside)[kind])
    cache = LayerCache(str(tmp_path / "layers"))

    with pytest.raises(DriverError, match="not a root filesystem archive"):
        cache.ensure(data)

    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
    assert (outside / "victim").read_text() == "victim"
    assert list((tmp_path / "layers").iterdir()) == []
    assert not list(tmp_path.rglob("escaped"))


def test_whiteouts_and_plain_layers_still_extract(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    data = _tar(images / "layer", _special("etc/gone", tarfile.CHRTYPE),
                _special("bin", tarfile.SYMTYPE, "usr/bin"),
                _special("etc/localtime", tarfile.SYMTYPE, "/usr/share/zoneinfo/UTC"))
    layer = LayerCache(str(tmp_path / "layers")).ensure(data)
    with open(f"{layer}/etc/ok") as handle:
        assert handle.read() == "fine"


def test_crlf_in_a_tag_never_reaches_the_location_header(demo, deployment):
    image = next(i for i in demo.get("/image/v2/images").json()["images"]
                 if i["status"] == "active")
    server = boot(demo, image["id"])["server"]
    wait_for(demo, server["id"], "ACTIVE")
    version = {"OpenStack-API-Version": "compute 2.26"}
    for tag in ("a%0D%0AX-Injected:%201", "%E2%82%AC"):
        response = demo.put(f"/compute/v2.1/servers/{server['id']}/tags/{tag}", headers=version)
        assert response.status_code == 201, response.text
        assert "x-injected" not in response.headers
        assert "\r" not in response.headers["location"]
        assert response.headers["location"].endswith(tag.replace(":", "%3A"))


async def _raw_request(app, path: str, headers: list[tuple[bytes, bytes]]) -> list:
    """Call the ASGI app with headers no HTTP client library would send."""
    sent = []
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent


def test_request_ids_and_subject_tokens_from_the_client_are_not_echoed(deployment, admin):
    evil = b"abc\r\nX-Injected: 1"
    headers = [(b"x-auth-token", admin.token.encode()), (b"x-openstack-request-id", evil),
               (b"x-subject-token", evil)]
    sent = anyio.run(_raw_request, deployment.app, "/identity/v3/auth/tokens", headers)
    start = sent[0]
    assert start["status"] == 404
    values = [value for _name, value in start["headers"]]
    assert all(b"\r" not in value and b"\n" not in value for value in values)
    assert not any(value.startswith(b"abc") for value in values)
