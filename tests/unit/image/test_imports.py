"""Interoperable import: glance-direct (stage + import) and loopback-only web-download."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time

import pytest

from pocketstack.agent.image_imports import ImageImportReconciler
from tests.unit.image.conftest import create

DATA = b"pocketstack image bytes\n" * 100


def stage(api, image_id: str, content: bytes = DATA):
    return api.put(f"/image/v2/images/{image_id}/stage", content=content,
                   headers={"Content-Type": "application/octet-stream"})


def start_import(api, image_id: str, **method):
    return api.post(f"/image/v2/images/{image_id}/import", json={"method": method})


def wait_status(api, image_id: str, *statuses: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        image = api.get(f"/image/v2/images/{image_id}").json()
        if image["status"] in statuses:
            return image
        assert time.monotonic() < deadline, f"image still {image['status']}"
        time.sleep(0.05)


def test_import_info_lists_both_methods(demo):
    info = demo.get("/image/v2/info/import").json()
    assert info["import-methods"]["value"] == ["glance-direct", "web-download"]


def test_glance_direct_stage_then_import(demo, deployment):
    image = create(demo, name="direct")
    assert stage(demo, image["id"]).status_code == 204
    assert demo.get(f"/image/v2/images/{image['id']}").json()["status"] == "uploading"
    assert stage(demo, image["id"]).status_code == 409  # already staged
    answer = start_import(demo, image["id"], name="glance-direct")
    assert answer.status_code == 202
    active = wait_status(demo, image["id"], "active")
    assert active["size"] == len(DATA)
    assert active["checksum"] == hashlib.md5(DATA, usedforsecurity=False).hexdigest()
    assert demo.get(f"/image/v2/images/{image['id']}/file").content == DATA
    staging = deployment.cloud.settings.image_dir / "staging" / image["id"]
    assert not staging.exists()
    tasks = demo.get(f"/image/v2/images/{image['id']}/tasks").json()["tasks"]
    assert [task["status"] for task in tasks] == ["success"]
    assert tasks[0]["request_id"] == answer.headers["x-openstack-request-id"]
    assert tasks[0]["input"]["import_req"]["method"]["name"] == "glance-direct"


def test_import_refusals(demo):
    image = create(demo, name="refused")
    assert start_import(demo, image["id"], name="glance-direct").status_code == 409
    assert start_import(demo, image["id"], name="copy-image").status_code == 400
    assert demo.post(f"/image/v2/images/{image['id']}/import", json={}).status_code == 400
    off_machine = start_import(demo, image["id"], name="web-download",
                               uri="http://198.51.100.7/disk.img")
    assert off_machine.status_code == 400
    assert "loopback" in off_machine.json()["message"]
    for uri in ("file:///etc/passwd", "ftp://127.0.0.1/x", "http://localhost.example.com/x"):
        assert start_import(demo, image["id"], name="web-download", uri=uri).status_code == 400
    assert demo.get(f"/image/v2/images/{image['id']}").json()["status"] == "queued"


class Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://198.51.100.7/disk.img")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(DATA)))
        self.end_headers()
        self.wfile.write(DATA)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_web_download_from_loopback(demo, loopback_server):
    image = create(demo, name="web")
    answer = start_import(demo, image["id"], name="web-download",
                          uri=f"{loopback_server}/disk.img")
    assert answer.status_code == 202, answer.text
    assert wait_status(demo, image["id"], "active")["size"] == len(DATA)


def test_a_redirect_is_not_followed_and_the_image_is_queued_again(demo, loopback_server):
    image = create(demo, name="moved")
    assert start_import(demo, image["id"], name="web-download",
                        uri=f"{loopback_server}/moved").status_code == 202
    wait_status(demo, image["id"], "queued")
    tasks = demo.get(f"/image/v2/images/{image['id']}/tasks").json()["tasks"]
    assert tasks[0]["status"] == "failure" and "302" in tasks[0]["message"]


def test_stale_staged_data_is_swept(demo, deployment):
    image = create(demo, name="abandoned")
    assert stage(demo, image["id"]).status_code == 204
    assert demo.delete(f"/image/v2/images/{image['id']}").status_code == 204
    staging = deployment.cloud.settings.image_dir / "staging" / image["id"]
    assert staging.exists()
    ImageImportReconciler(deployment.cloud).sweep()
    assert not staging.exists()
