"""Oversized request bodies get 413 in each service's envelope and change nothing."""

import json

BIG = 2 << 20


def test_oversized_json_is_413_in_compute_envelope(demo):
    body = json.dumps({"keypair": {"name": "k", "public_key": "x" * BIG}})
    response = demo.post("/compute/v2.1/os-keypairs", content=body,
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["overLimit"]["code"] == 413
    assert demo.get("/compute/v2.1/os-keypairs").json()["keypairs"] == []


def test_oversized_chunked_body_is_413_in_neutron_envelope(demo):
    def chunks():
        for _ in range(4):
            yield b" " * (BIG // 2)

    response = demo.post("/network/v2.0/networks", content=chunks(),
                         headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "NeutronError" in response.json()


def test_image_upload_is_not_capped_by_the_json_limit(demo):
    image = demo.post("/image/v2/images", json={
        "name": "big", "container_format": "bare", "disk_format": "raw"}).json()
    response = demo.put(f"/image/v2/images/{image['id']}/file", content=b"\0" * BIG,
                        headers={"Content-Type": "application/octet-stream"})
    assert response.status_code == 204
    assert demo.get(f"/image/v2/images/{image['id']}").json()["size"] == BIG
