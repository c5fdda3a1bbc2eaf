"""The default image made at first start: ``base``, public and active, offline and fast.

Formats: the data is a gzip tarball of a container's root filesystem, not a disk. Glance
defines container_format ``docker`` as "a tar archive of the container filesystem", which
is exactly that, and has no disk format for a filesystem archive; ``raw`` ("unstructured")
is the convention for ``docker`` images and the least wrong. ``bare``+``raw`` would claim a
raw disk, which a tarball is not, and would invite a qemu driver to boot it.
"""

from __future__ import annotations

import uuid

from pocketstack.db.models.image import Image, ImageProperty
from pocketstack.services.image.data import image_store
from pocketstack.services.image.rootfs import build_rootfs, host_os_release, os_release_fields
from pocketstack.services.image.store import HASH_ALGO
from pocketstack.services.runtime import Cloud

DEFAULT_IMAGE_NAME = "base"
# Stable, so every start finds the image it made before (and tests can name it).
DEFAULT_IMAGE_ID = str(uuid.uuid5(uuid.UUID("2f9b3c1e-8d4a-4e55-9a0c-7b1e6f3d2a10"), "base"))


def _properties(os_release: str) -> dict[str, str]:
    fields = os_release_fields(os_release)
    found = {"pocketstack_lower_usr": "host", "os_distro": fields.get("ID", "linux")}
    if fields.get("VERSION_ID"):
        found["os_version"] = fields["VERSION_ID"]
    return found


def ensure_default_image(cloud: Cloud, *, owner_project_id: str) -> None:
    """Create the default image (row and data) if it is missing. Idempotent."""
    store = image_store(cloud.settings)
    with cloud.db.session() as session:
        image = session.get(Image, DEFAULT_IMAGE_ID)
        if image is not None and (image.status != "active" or store.has(image.id)):
            return
    os_release = host_os_release()
    staged = store.stage(None)
    try:
        staged.write(build_rootfs(os_release))
        stored = staged.commit(store.path(DEFAULT_IMAGE_ID))
    finally:
        staged.discard()
    with cloud.db.session() as session:
        image = session.get(Image, DEFAULT_IMAGE_ID)
        if image is None:
            image = Image(id=DEFAULT_IMAGE_ID, name=DEFAULT_IMAGE_NAME, owner=owner_project_id,
                          visibility="public", container_format="docker", disk_format="raw")
            image.extra = [ImageProperty(name=k, value=v)
                           for k, v in _properties(os_release).items()]
            session.add(image)
        image.size = image.virtual_size = stored.size
        image.checksum, image.os_hash_value = stored.checksum, stored.os_hash_value
        image.os_hash_algo = HASH_ALGO
        image.status = "active"
