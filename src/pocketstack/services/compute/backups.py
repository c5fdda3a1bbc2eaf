"""``createBackup``: a snapshot tagged ``image_type=backup`` with a ``backup_type``, and a
rotation once it is stored: the server keeps its ``rotation`` newest backups of that type.

The rotation count travels with the image (``pocketstack_backup_rotation``) so the
reconciler, which finishes the snapshot, can rotate after a restart too; older backups
are deleted only after the new one is active, so a failed backup never costs an old one.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from pocketstack.db.models.image import Image, ImageProperty
from pocketstack.services.compute import instance_actions
from pocketstack.services.compute import server_states as states
from pocketstack.services.compute.servers import get_writable
from pocketstack.services.context import RequestContext
from pocketstack.services.image import data
from pocketstack.services.image import for_compute as images
from pocketstack.services.runtime import Cloud

ROTATION = "pocketstack_backup_rotation"


def create_backup(session: Session, context: RequestContext, server_id: str, *, name: str,
                  backup_type: str, rotation: int, metadata: dict) -> str:
    """Start the backup (the image row now, queued; its data from the reconciler)."""
    server = get_writable(session, context, server_id)
    states.require_state(server, "createBackup", (states.ACTIVE, states.STOPPED))
    image_id = images.start_snapshot(session, context, name=name, server_id=server.id,
                                     parent_image_id=server.image_id, metadata=metadata)
    image = session.get(Image, image_id)
    properties = {**image.properties, "image_type": "backup", "backup_type": backup_type,
                  ROTATION: str(rotation)}
    image.extra = [_property(image, key, value) for key, value in properties.items()]
    server.task_state = states.IMAGE_SNAPSHOT
    server.snapshot_image_id = image_id
    instance_actions.record(session, context, server, "createBackup")
    return image_id


def _property(image: Image, key: str, value: str) -> ImageProperty:
    row = next((row for row in image.extra if row.name == key), None)
    if row is None:
        return ImageProperty(image_id=image.id, name=key, value=value)
    row.value = value
    return row


def _has(key: str, value: str):
    return exists().where(ImageProperty.image_id == Image.id, ImageProperty.name == key,
                          ImageProperty.value == value)


def rotate(cloud: Cloud, image_id: str) -> list[str]:
    """After backup ``image_id`` became active: delete the oldest backups of the same
    server and type beyond its rotation (0 keeps none). Idempotent; the deleted ids."""
    with cloud.db.session() as session:
        image = session.get(Image, image_id)
        if image is None or image.status != "active":
            return []
        properties = image.properties
        if properties.get("image_type") != "backup" or ROTATION not in properties:
            return []
        same = (select(Image).where(
            Image.owner == image.owner, _has("image_type", "backup"),
            _has("instance_uuid", properties.get("instance_uuid", "")),
            _has("backup_type", properties.get("backup_type", "")))
            .order_by(Image.created_at.desc(), Image.id.desc()))
        stale = list(session.scalars(same))[max(int(properties[ROTATION]), 0):]
        removed = [old.id for old in stale if not old.protected]
        for old in stale:
            if not old.protected:
                session.delete(old)
    store = data.image_store(cloud.settings)
    for old_id in removed:
        store.remove(old_id)
    return removed
