"""The functions compute calls: boot image lookup, summaries, snapshots."""

import hashlib

import pytest

from pocketstack.errors import BadRequest, PayloadTooLarge
from pocketstack.services.identity import tokens
from pocketstack.services.image import for_compute
from pocketstack.services.image.bootstrap import DEFAULT_IMAGE_ID
from tests.unit.image.conftest import create


def context_of(deployment, api):
    with deployment.cloud.db.session() as session:
        return tokens.context_for(session, api.token)


def test_image_for_boot(deployment, demo, admin):
    context = context_of(deployment, demo)
    queued = create(demo, name="notyet")
    hidden = create(admin, name="adminonly", visibility="private")
    with deployment.cloud.db.session() as session:
        boot = for_compute.image_for_boot(session, context, DEFAULT_IMAGE_ID)
        assert boot.name == "base" and boot.properties["pocketstack_lower_usr"] == "host"
        assert boot.properties["container_format"] == "docker"
        for image_id in (queued["id"], hidden["id"], "nope"):
            with pytest.raises(BadRequest, match=f"Image {image_id} could not be found."):
                for_compute.image_for_boot(session, context, image_id)


def test_image_summary(deployment):
    with deployment.cloud.db.session() as session:
        found = for_compute.image_summary(session, [DEFAULT_IMAGE_ID, "missing"])
    assert found == {DEFAULT_IMAGE_ID: {"id": DEFAULT_IMAGE_ID, "name": "base"}}


def start(deployment, context, name="snap"):
    with deployment.cloud.db.session() as session:
        return for_compute.start_snapshot(
            session, context, name=name, server_id="server-1",
            parent_image_id=DEFAULT_IMAGE_ID, metadata={"purpose": "test"})


def test_snapshot_lifecycle(deployment, demo):
    context = context_of(deployment, demo)
    image_id = start(deployment, context)
    shown = demo.get(f"/image/v2/images/{image_id}").json()
    assert shown["status"] == "queued" and shown["visibility"] == "private"
    assert shown["owner"] == context.project_id
    assert (shown["image_type"], shown["instance_uuid"], shown["base_image_ref"]) == (
        "snapshot", "server-1", DEFAULT_IMAGE_ID)
    assert shown["purpose"] == "test" and shown["pocketstack_lower_usr"] == "host"
    parts = [b"a" * 1000, b"b" * 2000]
    for_compute.finish_snapshot(deployment.cloud, image_id, iter(parts))
    shown = demo.get(f"/image/v2/images/{image_id}").json()
    assert shown["status"] == "active" and shown["size"] == 3000
    assert shown["checksum"] == hashlib.md5(b"".join(parts)).hexdigest()
    for_compute.finish_snapshot(deployment.cloud, image_id, iter([b"other"]))
    assert demo.get(f"/image/v2/images/{image_id}/file").content == b"".join(parts)


def test_failed_snapshot_is_killed_and_data_removed(deployment, demo):
    context = context_of(deployment, demo)
    image_id = start(deployment, context)
    for_compute.fail_snapshot(deployment.cloud, image_id, "driver broke")
    assert demo.get(f"/image/v2/images/{image_id}").json()["status"] == "killed"
    assert not (deployment.cloud.settings.image_dir / image_id).exists()
    for_compute.finish_snapshot(deployment.cloud, image_id, iter([b"late"]))
    assert demo.get(f"/image/v2/images/{image_id}").json()["status"] == "killed"


def test_interrupted_snapshot_goes_back_to_queued(deployment, demo):
    context = context_of(deployment, demo)
    image_id = start(deployment, context)

    def broken():
        yield b"part"
        raise OSError("disk vanished")

    with pytest.raises(OSError):
        for_compute.finish_snapshot(deployment.cloud, image_id, broken())
    assert demo.get(f"/image/v2/images/{image_id}").json()["status"] == "queued"
    for_compute.finish_snapshot(deployment.cloud, image_id, iter([b"whole"]))
    assert demo.get(f"/image/v2/images/{image_id}/file").content == b"whole"


def test_snapshot_over_cap_is_killed(capped):
    demo, deployment = capped
    context = context_of(deployment, demo)
    image_id = start(deployment, context)
    with pytest.raises(PayloadTooLarge):
        for_compute.finish_snapshot(deployment.cloud, image_id, iter([b"x" * (1024 * 1024 + 1)]))
    assert demo.get(f"/image/v2/images/{image_id}").json()["status"] == "killed"
    assert not [p for p in deployment.cloud.settings.image_dir.iterdir()
                if p.name.startswith((".staging-", image_id))]
