"""/v2/images: create, list, show, patch, delete, tags and (de)activation."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.image.errors import UnsupportedMediaType
from pocketstack.api.image.views import image_view, images_view
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.image import data, images, imports, patch, query
from pocketstack.services.image.patch import from_draft10

router = APIRouter(prefix="/v2/images")

PATCH_TYPES = ("application/openstack-images-v2.1-json-patch",
               "application/openstack-images-v2.0-json-patch")


async def json_patch_body(request: Request) -> Any:
    """The PATCH body; 415 unless it is sent as Glance's JSON-patch media type."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in PATCH_TYPES:
        raise UnsupportedMediaType(f"Unsupported Content-Type {media or '(none)'}: "
                                   f"use {PATCH_TYPES[0]}.")
    try:
        operations = json.loads(await request.body())
    except ValueError:
        raise BadRequest("Malformed JSON in request body.") from None
    return from_draft10(operations) if media == PATCH_TYPES[1] else operations


@router.api_route("/", methods=["GET", "DELETE", "PATCH"], include_in_schema=False)
def empty_image_id(_who: Caller):
    """``/v2/images/`` names an image with an empty ID: none exists (Glance answers 404)."""
    raise NotFound("No image found with ID ''.")


@router.post("", status_code=201)
def create_image(cloud: CloudDep, who: Caller, body: Annotated[dict, Body()]):
    with cloud.db.session() as session:
        view = image_view(images.create_image(session, who, body))
    headers = {"Location": view["self"],
               "OpenStack-image-import-methods": ",".join(imports.METHODS)}
    return JSONResponse(view, status_code=201, headers=headers)


@router.get("")
def list_images(request: Request, cloud: CloudDep, who: Caller):
    pairs = request.query_params.multi_items()
    wanted = query.parse_query(pairs)
    with cloud.db.session() as session:
        found = query.list_images(session, who, wanted)
        return images_view(found, pairs, wanted.limit)


@router.get("/{image_id}")
def show_image(image_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return image_view(images.get_image(session, who, image_id))


@router.patch("/{image_id}")
def update_image(image_id: str, cloud: CloudDep, who: Caller,
                 operations: Annotated[Any, Depends(json_patch_body)]):
    with cloud.db.session() as session:
        return image_view(patch.patch_image(session, who, image_id, operations))


@router.delete("/{image_id}", status_code=204)
def delete_image(image_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        images.delete_image(session, who, data.image_store(cloud.settings), image_id)
    return Response(status_code=204)


@router.put("/{image_id}/tags/{tag}", status_code=204)
def add_tag(image_id: str, tag: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        images.add_tag(session, who, image_id, tag)
    return Response(status_code=204)


@router.delete("/{image_id}/tags/{tag}", status_code=204)
def remove_tag(image_id: str, tag: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        images.remove_tag(session, who, image_id, tag)
    return Response(status_code=204)


@router.post("/{image_id}/actions/deactivate", status_code=204)
def deactivate(image_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        images.deactivate(session, who, image_id)
    return Response(status_code=204)


@router.post("/{image_id}/actions/reactivate", status_code=204)
def reactivate(image_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        images.reactivate(session, who, image_id)
    return Response(status_code=204)
