"""Image data: streamed upload with checksums, download, ranges, caps and quota."""

import asyncio
import hashlib
import os

import pytest

from pocketstack.errors import PayloadTooLarge
from pocketstack.services.identity import tokens
from pocketstack.services.image import data, store
from tests.unit.image.conftest import create, upload

MIB = 1024 * 1024


def chunks(data: bytes, size: int):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_multi_megabyte_chunked_upload_stores_matching_checksums(demo, deployment):
    data = os.urandom(6 * MIB + 123)
    image = create(demo, name="big")
    response = upload(demo, image["id"], chunks(data, 256 * 1024))
    assert response.status_code == 204, response.text
    shown = demo.get(f"/image/v2/images/{image['id']}").json()
    assert shown["status"] == "active" and shown["size"] == len(data)
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert shown["os_hash_algo"] == "sha512"
    assert shown["os_hash_value"] == hashlib.sha512(data).hexdigest()
    stored = (deployment.cloud.settings.image_dir / image["id"]).read_bytes()
    assert hashlib.md5(stored).hexdigest() == shown["checksum"]
    leftovers = [p for p in deployment.cloud.settings.image_dir.iterdir()
                 if p.name.startswith(".staging-")]
    assert leftovers == []
    download = demo.get(f"/image/v2/images/{image['id']}/file")
    assert download.status_code == 200
    assert download.headers["Content-MD5"] == shown["checksum"]
    assert download.content == data


def test_upload_is_written_chunk_by_chunk(deployment, demo, monkeypatch):
    """Drive the ASGI app with many body messages: each is written as it arrives."""
    image = create(demo, name="streamed")
    writes = []
    original = store.StagedFile.write
    monkeypatch.setattr(store.StagedFile, "write",
                        lambda self, chunk: (writes.append(len(chunk)), original(self, chunk)))
    parts = [os.urandom(64 * 1024) for _ in range(20)]
    messages = [{"type": "http.request", "body": part, "more_body": True} for part in parts]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "PUT", "path": f"/image/v2/images/{image['id']}/file",
             "raw_path": b"", "root_path": "", "query_string": b"", "scheme": "http",
             "server": ("testserver", 80), "client": ("127.0.0.1", 1), "http_version": "1.1",
             "headers": [(b"x-auth-token", demo.token.encode()),
                         (b"content-type", b"application/octet-stream")]}
    asyncio.run(deployment.app(scope, receive, send))
    assert sent[0]["status"] == 204
    assert writes.count(64 * 1024) == 20
    shown = demo.get(f"/image/v2/images/{image['id']}").json()
    assert shown["checksum"] == hashlib.md5(b"".join(parts)).hexdigest()


def test_upload_to_active_image_is_409(demo):
    image = create(demo, name="once")
    assert upload(demo, image["id"], b"first").status_code == 204
    response = upload(demo, image["id"], b"second")
    assert response.status_code == 409
    assert demo.get(f"/image/v2/images/{image['id']}/file").content == b"first"


def test_upload_needs_octet_stream(demo):
    image = create(demo, name="typed")
    response = upload(demo, image["id"], b"x", **{"Content-Type": "application/json"})
    assert response.status_code == 415
    assert demo.get(f"/image/v2/images/{image['id']}").json()["status"] == "queued"


def test_download_without_data_is_204(demo):
    image = create(demo, name="empty")
    response = demo.get(f"/image/v2/images/{image['id']}/file")
    assert response.status_code == 204 and response.content == b""


def test_download_range(demo):
    image = create(demo, name="ranged")
    upload(demo, image["id"], b"0123456789")
    path = f"/image/v2/images/{image['id']}/file"
    response = demo.get(path, headers={"Range": "bytes=2-5"})
    assert response.status_code == 206 and response.content == b"2345"
    assert response.headers["Content-Range"] == "bytes 2-5/10"
    assert demo.get(path, headers={"Range": "bytes=-3"}).content == b"789"
    assert demo.get(path, headers={"Range": "bytes=8-"}).content == b"89"
    assert demo.get(path, headers={"Range": "bytes=20-30"}).status_code == 416


def test_over_size_cap_is_413_and_nothing_changes(capped):
    demo, deployment = capped
    image = create(demo, name="huge")
    response = upload(demo, image["id"], chunks(os.urandom(MIB + 1), 100_000))
    assert response.status_code == 413
    assert response.json()["code"] == "413 Request Entity Too Large"
    shown = demo.get(f"/image/v2/images/{image['id']}").json()
    assert shown["status"] == "queued" and shown["size"] is None and shown["checksum"] is None
    assert sorted(p.name for p in deployment.cloud.settings.image_dir.iterdir()) == sorted(
        [deployment_base(deployment)])
    assert upload(demo, image["id"], b"small").status_code == 204


def deployment_base(deployment) -> str:
    from pocketstack.services.image.bootstrap import DEFAULT_IMAGE_ID
    assert (deployment.cloud.settings.image_dir / DEFAULT_IMAGE_ID).exists()
    return DEFAULT_IMAGE_ID


def test_project_quota_is_413(capped):
    demo, _ = capped
    first, second = create(demo, name="q1"), create(demo, name="q2")
    assert upload(demo, first["id"], os.urandom(MIB)).status_code == 204
    response = upload(demo, second["id"], os.urandom(MIB))
    assert response.status_code == 413 and "quota" in response.json()["message"]
    assert upload(demo, second["id"], os.urandom(MIB // 4)).status_code == 204
    assert demo.delete(f"/image/v2/images/{first['id']}").status_code == 204
    third = create(demo, name="q3")
    assert upload(demo, third["id"], os.urandom(MIB)).status_code == 204


def test_declared_oversize_is_refused_before_reading(capped):
    demo, deployment = capped
    image = create(demo, name="declared")
    cloud = deployment.cloud
    with cloud.db.session() as session:
        context = tokens.context_for(session, demo.token)
    with pytest.raises(PayloadTooLarge), cloud.db.session() as session:
        data.begin_upload(session, context, cloud.settings, image["id"], 10 * MIB)
    assert demo.get(f"/image/v2/images/{image['id']}").json()["status"] == "queued"
