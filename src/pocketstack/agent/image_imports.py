"""The image import reconciler: runs each pending ``api_image_import`` task.

glance-direct reads the data staged under the image store; web-download reads a loopback
URL (checked again here: never a redirect, never another host). The data goes through a
staged file into the store, so a crash mid-way leaves the task pending and the image
``importing``: the next pass starts it again from the beginning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
from sqlalchemy import select

from pocketstack.agent.reconcile import DONE, Result
from pocketstack.db.models.image import Image, ImageTask
from pocketstack.errors import CloudError
from pocketstack.services.image import data, imports
from pocketstack.services.image.store import CHUNK
from pocketstack.services.runtime import Cloud

log = logging.getLogger(__name__)
DOWNLOAD_TIMEOUT = httpx.Timeout(30.0)


class ImageImportReconciler:
    kind = "image_import"

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.store = data.image_store(cloud.settings)

    def pending(self) -> list[str]:
        with self.cloud.db.session() as session:
            return list(session.scalars(select(ImageTask.id).where(
                ImageTask.status.in_(imports.ACTIVE_TASKS)).order_by(ImageTask.created_at)))

    def reconcile(self, key: str) -> Result:
        settings = self.cloud.settings
        with self.cloud.db.session() as session:
            upload = imports.begin_import(session, settings, key)
            task = session.get(ImageTask, key)
            method, uri = (task.method, task.uri) if task is not None else (None, None)
        if upload is None:
            return DONE
        staged = self.store.stage(upload.limit, upload.refusal)
        try:
            for chunk in self._source(method, uri, upload.image_id):
                staged.write(chunk)
            with self.cloud.db.session() as session:
                imports.finish_import(session, settings, key, upload, staged)
        except (CloudError, httpx.HTTPError, OSError) as exc:
            message = exc.message if isinstance(exc, CloudError) else f"{type(exc).__name__}: {exc}"
            self.fail(key, message)
            return DONE
        finally:
            staged.discard()
        if method == imports.GLANCE_DIRECT:
            self.store.staging_path(upload.image_id).unlink(missing_ok=True)
        return DONE

    def _source(self, method: str, uri: str | None, image_id: str) -> Iterator[bytes]:
        if method == imports.GLANCE_DIRECT:
            return _file_blocks(self.store.staging_path(image_id))
        return _download(imports.check_web_download_uri(uri))

    def fail(self, key: str, message: str) -> None:
        log.warning("image import task %s failed: %s", key, message)
        with self.cloud.db.session() as session:
            imports.fail_import(session, key, message)

    def sweep(self) -> None:
        """Remove staged data that no uploading or importing image waits for."""
        with self.cloud.db.session() as session:
            waiting = set(session.scalars(select(Image.id).where(
                Image.status.in_(("uploading", "importing")))))
        for image_id in self.store.staged_ids() - waiting:
            log.info("removing staged data of image %s, which no longer waits for it", image_id)
            self.store.staging_path(image_id).unlink(missing_ok=True)


def _file_blocks(path: Path) -> Iterator[bytes]:
    if not path.is_file():
        raise CloudError("No staged data: stage the image's data again, then import it.")
    with path.open("rb") as source:
        while block := source.read(CHUNK):
            yield block


def _download(uri: str) -> Iterator[bytes]:
    with httpx.stream("GET", uri, timeout=DOWNLOAD_TIMEOUT, follow_redirects=False) as response:
        if response.status_code != 200:
            raise CloudError(f"web-download of {uri} answered HTTP {response.status_code}.")
        yield from response.iter_bytes(CHUNK)
