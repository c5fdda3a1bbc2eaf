"""The default image: public, active, a real rootfs tarball without host secrets."""

import hashlib
import io
import tarfile
import time
from pathlib import Path

from pocketstack.services.image.bootstrap import DEFAULT_IMAGE_ID, ensure_default_image
from pocketstack.services.image.rootfs import build_rootfs


def members(data: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {member.name: member for member in tar.getmembers()}


def read(data: bytes, name: str) -> str:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return tar.extractfile(name).read().decode()


def test_base_image_is_public_active_docker_raw(demo, deployment):
    images = demo.get("/image/v2/images?name=base").json()["images"]
    assert len(images) == 1
    base = images[0]
    assert base["id"] == DEFAULT_IMAGE_ID
    assert (base["status"], base["visibility"]) == ("active", "public")
    assert (base["container_format"], base["disk_format"]) == ("docker", "raw")
    assert base["pocketstack_lower_usr"] == "host"
    assert base["owner"] == deployment.accounts["admin"].project_id
    data = demo.get(f"/image/v2/images/{base['id']}/file").content
    assert hashlib.md5(data).hexdigest() == base["checksum"] and len(data) == base["size"]


def test_tarball_is_a_root_skeleton_over_host_usr(demo):
    data = demo.get(f"/image/v2/images/{DEFAULT_IMAGE_ID}/file").content
    found = members(data)
    for directory in ("etc", "var/lib/dpkg", "root", "tmp", "run", "home", "usr"):
        assert found[directory].isdir(), directory
    for link, target in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"),
                         ("lib64", "usr/lib64")):
        assert found[link].issym() and found[link].linkname == target
    assert not [name for name in found if name.startswith("var/lib/dpkg/")]
    assert not [name for name in found if name.startswith("usr/")]
    passwd = read(data, "etc/passwd").splitlines()
    assert passwd[0] == "root:x:0:0:root:/root:/bin/bash"
    uids = [int(line.split(":")[2]) for line in passwd]
    assert all(uid < 1000 or uid == 65534 for uid in uids), "only system accounts"
    assert all(line.split(":")[1] == "x" for line in passwd), "no hash in passwd"
    shadow_names = [line.split(":")[0] for line in read(data, "etc/shadow").splitlines()]
    assert shadow_names == [line.split(":")[0] for line in passwd]
    assert read(data, "etc/group").splitlines()[0] == "root:x:0:"
    assert read(data, "etc/os-release") == Path("/etc/os-release").read_text()
    assert read(data, "etc/hostname").strip()


def test_tarball_holds_no_host_secret(deployment):
    data = build_rootfs()
    found = members(data)
    for name in found:
        assert "ssh" not in name and not name.endswith((".key", ".pem")), name
    shadow = read(data, "etc/shadow")
    for line in shadow.splitlines():
        assert line.split(":")[1] in ("*", "!", "!*"), line
    secrets = [str(deployment.cloud.settings.data_dir), "BEGIN", "PRIVATE KEY", "$6$", "$y$"]
    text = gzip_text(data)
    for secret in secrets:
        assert secret not in text


def gzip_text(data: bytes) -> str:
    import gzip
    return gzip.decompress(data).decode("latin-1")


def test_bootstrap_is_idempotent_fast_and_repairs_missing_data(deployment):
    cloud = deployment.cloud
    admin_project = deployment.accounts["admin"].project_id
    stored = cloud.settings.image_dir / DEFAULT_IMAGE_ID
    before = stored.stat().st_mtime_ns
    started = time.monotonic()
    ensure_default_image(cloud, owner_project_id=admin_project)
    assert stored.stat().st_mtime_ns == before
    stored.unlink()
    ensure_default_image(cloud, owner_project_id=admin_project)
    assert time.monotonic() - started < 0.5
    assert stored.exists()
    from pocketstack.db.models.image import Image
    with cloud.db.session() as session:
        assert session.query(Image).filter_by(name="base").count() == 1
