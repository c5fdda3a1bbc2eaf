"""Image data: the upload state machine (queued → saving → active) and downloads.

An upload is three short steps so no transaction stays open while bytes flow:
``begin_upload`` (checks, status ``saving``), the caller streams into a ``StagedFile``,
then ``finish_upload`` (checks again, moves the file into place, status ``active``) or,
on any failure, ``abort_upload`` (status back to ``queued``; nothing else changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from pocketstack.config import Settings
from pocketstack.db.models.image import Image
from pocketstack.errors import CloudError, Conflict, Forbidden, PayloadTooLarge
from pocketstack.services import quota
from pocketstack.services.context import RequestContext
from pocketstack.services.image import access
from pocketstack.services.image.images import used_bytes
from pocketstack.services.image.store import HASH_ALGO, ImageStore, StagedFile

QUOTA_RESOURCE = "image_bytes"


class ImageGone(CloudError):
    status, title, compute_key, neutron_type = 410, "Gone", "itemNotFound", "NotFound"


@dataclass(frozen=True)
class Upload:
    image_id: str
    owner: str | None
    limit: int | None
    refusal: str


@dataclass(frozen=True)
class Download:
    image_id: str
    size: int
    checksum: str | None


def image_store(settings: Settings) -> ImageStore:
    return ImageStore(settings.image_dir)


def size_cap(settings: Settings) -> int:
    return settings.image_size_cap


def quota_bytes(session: Session, settings: Settings | None, project_id: str) -> int | None:
    """Bytes of image data ``project_id`` may store; None = unlimited.

    A per-project limit (``services/quota`` resource ``image_bytes``) wins over the
    deployment default ``settings.image_storage_quota`` (None: unlimited).
    """
    value = quota.limits(session, project_id).get(QUOTA_RESOURCE)
    if value is None and settings is not None:
        value = settings.image_storage_quota
    return None if value is None or int(value) < 0 else int(value)


def check_not_full(session: Session, settings: Settings | None, project_id: str) -> None:
    limit = quota_bytes(session, settings, project_id)
    if limit is not None and used_bytes(session, project_id) >= limit:
        raise PayloadTooLarge(f"Image storage quota of project {project_id} is used up "
                              f"({limit} bytes).")


def _remaining_quota(session: Session, settings: Settings, owner, image_id) -> int | None:
    if owner is None:
        return None
    limit = quota_bytes(session, settings, owner)
    if limit is None:
        return None
    return max(limit - used_bytes(session, owner, excluding=image_id), 0)


def plan_upload(session: Session, settings: Settings, image: Image) -> Upload:
    """The byte limit for ``image``'s data: the size cap, or less when quota is tighter."""
    cap = size_cap(settings)
    remaining = _remaining_quota(session, settings, image.owner, image.id)
    if remaining is not None and remaining < cap:
        refusal = (f"Denying attempt to upload image because it exceeds the quota: "
                   f"{remaining} bytes of image storage remain for project {image.owner}.")
        return Upload(image.id, image.owner, remaining, refusal)
    refusal = f"Image exceeds the size limit of {cap} bytes."
    return Upload(image.id, image.owner, cap, refusal)


def begin_upload(session: Session, context: RequestContext, settings: Settings,
                 image_id: str, declared_size: int | None = None) -> Upload:
    image = access.writable(session, context, image_id)
    if image.status != "queued":
        raise Conflict(f"Image status transition from {image.status} to saving is not allowed")
    upload = plan_upload(session, settings, image)
    if declared_size is not None and upload.limit is not None and declared_size > upload.limit:
        raise PayloadTooLarge(upload.refusal)
    claimed = session.execute(
        update(Image).where(Image.id == image_id, Image.status == "queued")
        .values(status="saving")
    )
    if claimed.rowcount != 1:
        raise Conflict(f"Image {image_id} is already receiving data.")
    return upload


def finish_upload(session: Session, settings: Settings, upload: Upload,
                  staged: StagedFile) -> Image:
    """Move the staged data into place and make the image ``active``."""
    image = session.get(Image, upload.image_id)
    if image is None:
        raise ImageGone(f"Image {upload.image_id} could not be found after upload. "
                        "The image may have been deleted during the upload.")
    if image.status != "saving":
        raise Conflict(f"Image {image.id} left the saving status during the upload.")
    remaining = _remaining_quota(session, settings, image.owner, image.id)
    if remaining is not None and staged.size > remaining:
        raise PayloadTooLarge(upload.refusal)
    stored = staged.commit(image_store(settings).path(image.id))
    image.size = stored.size
    image.virtual_size = stored.size if image.disk_format in (None, "raw") else None
    image.checksum = stored.checksum
    image.os_hash_algo = HASH_ALGO
    image.os_hash_value = stored.os_hash_value
    image.status = "active"
    return image


def abort_upload(session: Session, image_id: str, *, status: str = "queued") -> None:
    """Undo ``begin_upload``: the image goes back to ``status`` if it is still saving."""
    session.execute(
        update(Image).where(Image.id == image_id, Image.status == "saving").values(status=status)
    )


def open_download(session: Session, context: RequestContext, settings: Settings,
                  image_id: str) -> Download | None:
    """What to stream for ``image_id``; None when it has no data (Glance answers 204)."""
    image = access.readable(session, context, image_id)
    if image.status == "deactivated" and not context.is_admin:
        raise Forbidden("The requested image has been deactivated. "
                        "Image data download is forbidden.")
    if image.status not in ("active", "deactivated") or image.size is None:
        return None
    if not image_store(settings).has(image.id):
        return None
    return Download(image.id, image.size, image.checksum)
