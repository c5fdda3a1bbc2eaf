"""Interoperable image import: /v2/info/import, /v2/images/{id}/stage and /import, and
an image's import tasks (/v2/images/{id}/tasks)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request
from fastapi.responses import Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.image.data import _declared_size, receive
from pocketstack.db.base import isotime
from pocketstack.db.models.image import ImageTask
from pocketstack.errors import BadRequest
from pocketstack.services.image import data, imports

router = APIRouter(prefix="/v2")


@router.get("/info/import")
def import_info(_who: Caller) -> dict:
    return imports.import_info()


def _begin(cloud, who, image_id: str, declared: int | None) -> data.Upload:
    with cloud.db.session() as session:
        return imports.begin_stage(session, who, cloud.settings, image_id, declared)


def _abort(cloud, image_id: str) -> None:
    with cloud.db.session() as session:
        imports.abort_stage(session, image_id)


@router.put("/images/{image_id}/stage", status_code=204)
async def stage_data(image_id: str, request: Request, cloud: CloudDep, who: Caller):
    """Stream the data into the staging area; the image stays ``uploading`` until imported."""
    declared = _declared_size(request)
    await receive(request, cloud, begin=lambda: _begin(cloud, who, image_id, declared),
                  finish=lambda upload, staged: imports.finish_stage(cloud.settings, upload,
                                                                     staged),
                  abort=lambda: _abort(cloud, image_id))
    return Response(status_code=204)


def _method(body) -> tuple[str, str | None]:
    method = body.get("method") if isinstance(body, dict) else None
    if not isinstance(method, dict) or not isinstance(method.get("name"), str):
        raise BadRequest('An import body names its method: {"method": {"name": '
                         '"glance-direct"}} or {"method": {"name": "web-download", '
                         '"uri": "http://127.0.0.1/..."}}.')
    return method["name"], method.get("uri")


@router.post("/images/{image_id}/import", status_code=202)
def import_image(image_id: str, request: Request, cloud: CloudDep, who: Caller,
                 body: Annotated[dict, Body()]) -> Response:
    name, uri = _method(body)
    request_id = getattr(request.state, "request_id", None)
    with cloud.db.session() as session:
        imports.start_import(session, who, image_id, name, uri, request_id)
    cloud.wake_agent()
    return Response(status_code=202)


def task_view(task: ImageTask) -> dict:
    return {
        "id": task.id, "type": task.type, "status": task.status, "owner": task.owner,
        "image_id": task.image_id, "user_id": task.user_id, "request_id": task.request_id,
        "input": {"image_id": task.image_id,
                  "import_req": {"method": {"name": task.method,
                                            **({"uri": task.uri} if task.uri else {})}}},
        "result": {"image_id": task.image_id} if task.status == "success" else None,
        "message": task.message, "created_at": isotime(task.created_at),
        "updated_at": isotime(task.updated_at), "expires_at": None,
    }


@router.get("/images/{image_id}/tasks")
def list_image_tasks(image_id: str, cloud: CloudDep, who: Caller) -> dict:
    with cloud.db.session() as session:
        return {"tasks": [task_view(task) for task in imports.image_tasks(session, who,
                                                                          image_id)]}
