"""/v2/images/{id}/file: streamed upload and download of image data.

The upload handler is ``async``: it reads ``request.stream()`` chunk by chunk into a
staged file (hashing on the way), so a body is never held in memory; its database steps
run in the thread pool.
"""

from __future__ import annotations

import re
from typing import Annotated

import anyio
from fastapi import Header, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.image.errors import RangeNotSatisfiable, UnsupportedMediaType
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.image import data

router = APIRouter(prefix="/v2/images")

UPLOAD_TYPES = ("", "application/octet-stream")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _declared_size(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    if not value.isdigit():
        raise BadRequest(f"Invalid Content-Length: {value!r}")
    return int(value)


async def receive(request: Request, cloud, begin, finish, abort) -> None:
    """Stream a request body into the image store: check the media type, ``begin()`` (in
    the thread pool; returns the ``data.Upload`` with its limit), write every chunk, then
    ``finish(upload, staged)``. On any failure, cancel included, ``abort()`` runs; the
    staged file is always removed."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in UPLOAD_TYPES:
        raise UnsupportedMediaType(f"Unsupported Content-Type {media}: image data is sent as "
                                   "application/octet-stream.")
    upload = await run_in_threadpool(begin)
    staged = data.image_store(cloud.settings).stage(upload.limit, upload.refusal)
    try:
        async for chunk in request.stream():
            staged.write(chunk)
        await run_in_threadpool(finish, upload, staged)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(abort)
        raise
    finally:
        staged.discard()


def _begin(cloud, who, image_id: str, declared: int | None) -> data.Upload:
    with cloud.db.session() as session:
        return data.begin_upload(session, who, cloud.settings, image_id, declared)


def _finish(cloud, upload: data.Upload, staged) -> None:
    with cloud.db.session() as session:
        data.finish_upload(session, cloud.settings, upload, staged)


def _abort(cloud, image_id: str) -> None:
    with cloud.db.session() as session:
        data.abort_upload(session, image_id)


@router.put("/{image_id}/file", status_code=204)
async def upload_data(image_id: str, request: Request, cloud: CloudDep, who: Caller):
    declared = _declared_size(request)
    await receive(request, cloud, begin=lambda: _begin(cloud, who, image_id, declared),
                  finish=lambda upload, staged: _finish(cloud, upload, staged),
                  abort=lambda: _abort(cloud, image_id))
    return Response(status_code=204)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive from a single-range ``Range`` header; None = whole file."""
    if not header:
        return None
    match = RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        raise RangeNotSatisfiable(f"Invalid or unsupported Range: {header}")
    first, last = match.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise RangeNotSatisfiable(f"Range {header} is outside the image data ({size} bytes).")
    return start, end


@router.get("/{image_id}/file")
def download_data(image_id: str, cloud: CloudDep, who: Caller,
                  byte_range: Annotated[str | None, Header(alias="range")] = None):
    with cloud.db.session() as session:
        found = data.open_download(session, who, cloud.settings, image_id)
    if found is None:
        return Response(status_code=204)
    window = _byte_range(byte_range, found.size)
    start, end = window or (0, None)
    try:
        chunks = data.image_store(cloud.settings).reader(found.image_id, start, end)
    except FileNotFoundError:
        raise NotFound(f"No image data found for image {image_id}") from None
    if window is None:
        headers = {"Content-Length": str(found.size), "Content-MD5": found.checksum or ""}
        return StreamingResponse(chunks, headers=headers, media_type="application/octet-stream")
    headers = {"Content-Length": str(end - start + 1),
               "Content-Range": f"bytes {start}-{end}/{found.size}"}
    return StreamingResponse(chunks, status_code=206, headers=headers,
                             media_type="application/octet-stream")
