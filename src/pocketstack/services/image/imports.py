"""Interoperable image import (Glance's ``image-import``): stage, then import.

``glance-direct``: ``PUT /v2/images/{id}/stage`` streams the data into the staging area
(status ``uploading``), ``POST /v2/images/{id}/import`` asks for it to be imported. The
agent's import reconciler then moves it into the store (status ``importing`` → ``active``).
``web-download``: the import call names a URL that the reconciler reads; only loopback
URLs are accepted, since pocketstack never fetches from off the machine on a user's behalf.
A failed import leaves the image ``queued`` (as Glance does) and its task ``failure``.
"""

from __future__ import annotations

import ipaddress
import urllib.parse

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pocketstack.config import Settings
from pocketstack.db.models.image import Image, ImageTask
from pocketstack.errors import BadRequest, Conflict, PayloadTooLarge
from pocketstack.services.context import RequestContext
from pocketstack.services.image import access, data
from pocketstack.services.image.store import StagedFile

GLANCE_DIRECT, WEB_DOWNLOAD = "glance-direct", "web-download"
METHODS = (GLANCE_DIRECT, WEB_DOWNLOAD)
ACTIVE_TASKS = ("pending", "processing")


def import_info() -> dict:
    """``GET /v2/info/import``."""
    return {"import-methods": {"description": "Import methods available.", "type": "array",
                               "value": list(METHODS)}}


def begin_stage(session: Session, context: RequestContext, settings: Settings,
                image_id: str, declared_size: int | None = None) -> data.Upload:
    """Claim a queued image for staging (status ``uploading``)."""
    image = access.writable(session, context, image_id)
    if image.status != "queued":
        raise Conflict(f"Image {image_id} is {image.status}: only a queued image takes "
                       "staged data.")
    upload = data.plan_upload(session, settings, image)
    if declared_size is not None and upload.limit is not None and declared_size > upload.limit:
        raise PayloadTooLarge(upload.refusal)
    claimed = session.execute(update(Image).where(Image.id == image_id,
                                                  Image.status == "queued")
                              .values(status="uploading"))
    if claimed.rowcount != 1:
        raise Conflict(f"Image {image_id} is already receiving data.")
    return upload


def finish_stage(settings: Settings, upload: data.Upload, staged: StagedFile) -> None:
    staged.commit(data.image_store(settings).staging_path(upload.image_id))


def abort_stage(session: Session, image_id: str) -> None:
    session.execute(update(Image).where(Image.id == image_id, Image.status == "uploading")
                    .values(status="queued"))


def check_web_download_uri(uri) -> str:
    """An http(s) URL on this machine (a loopback address or ``localhost``)."""
    parsed = urllib.parse.urlsplit(uri) if isinstance(uri, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise BadRequest(f"URI for web-download must be an http or https URL, not {uri!r}.")
    host = parsed.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise BadRequest(f"web-download of {uri} refused: this cloud only downloads from "
                         "loopback addresses (127.0.0.0/8, ::1, localhost), never from off "
                         "the machine. Download the file yourself and use glance-direct "
                         "(openstack image create --import --file ...).")
    return uri


def start_import(session: Session, context: RequestContext, image_id: str, method: str,
                 uri: str | None = None, request_id: str | None = None) -> ImageTask:
    """Write the import task and set the image ``importing``; the agent does the rest."""
    image = access.writable(session, context, image_id)
    if method not in METHODS:
        raise BadRequest(f"Import method {method!r} is not available; use one of "
                         f"{', '.join(METHODS)}.")
    wanted = "uploading" if method == GLANCE_DIRECT else "queued"
    if image.status != wanted:
        hint = ("stage its data first (PUT /v2/images/{id}/stage)" if method == GLANCE_DIRECT
                else "web-download fills a queued image")
        raise Conflict(f"Image {image_id} is {image.status}: {hint}.")
    if method == WEB_DOWNLOAD:
        uri = check_web_download_uri(uri)
    image.status = "importing"
    task = ImageTask(image_id=image.id, method=method, uri=uri, owner=image.owner,
                     user_id=context.user_id, request_id=request_id)
    session.add(task)
    session.flush()
    return task


def image_tasks(session: Session, context: RequestContext, image_id: str) -> list[ImageTask]:
    access.readable(session, context, image_id)
    return list(session.scalars(select(ImageTask).where(ImageTask.image_id == image_id)
                                .order_by(ImageTask.created_at)))


def begin_import(session: Session, settings: Settings, task_id: str) -> data.Upload | None:
    """Mark the task processing; the byte limit for its data, or None when there is nothing
    to do (the task is finished, or its image left ``importing``, e.g. deleted)."""
    task = session.get(ImageTask, task_id)
    image = session.get(Image, task.image_id) if task is not None else None
    if task is None or task.status not in ACTIVE_TASKS:
        return None
    if image is None or image.status != "importing":
        task.status, task.message = "failure", "The image left the importing status."
        return None
    task.status = "processing"
    return data.plan_upload(session, settings, image)


def finish_import(session: Session, settings: Settings, task_id: str, upload: data.Upload,
                  staged: StagedFile) -> None:
    """Move the imported data into place: the image becomes ``active``, the task succeeds."""
    task = session.get(ImageTask, task_id)
    image = session.get(Image, upload.image_id)
    if task is None or image is None or image.status != "importing":
        return
    image.status = "saving"
    data.finish_upload(session, settings, upload, staged)
    task.status, task.message = "success", ""


def fail_import(session: Session, task_id: str, message: str) -> None:
    """The task fails with ``message``; its image goes back to ``queued``."""
    task = session.get(ImageTask, task_id)
    if task is None:
        return
    task.status, task.message = "failure", message
    session.execute(update(Image).where(Image.id == task.image_id,
                                        Image.status == "importing").values(status="queued"))
