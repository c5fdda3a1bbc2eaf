"""Nova's image proxy: ``GET/DELETE /v2.1/images[/detail|/{id}]`` (up to 2.35) and
``/v2.1/images/{id}/metadata[/{key}]`` (up to 2.38); later microversions answer 404 as
Nova does. The images are Glance's, reached through the image service layer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request
from fastapi.responses import Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.links import collection_links, resource_links
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.db.base import isotime
from pocketstack.db.models.image import Image
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.compute import image_proxy as proxy
from pocketstack.services.image import data
from pocketstack.services.listing import parse_limit
from pocketstack.services.runtime import Cloud

router = APIRouter(prefix="/v2.1/images")

STATUS = {"active": "ACTIVE", "queued": "SAVING", "saving": "SAVING", "importing": "SAVING",
          "uploading": "SAVING", "deleted": "DELETED", "pending_delete": "DELETED",
          "killed": "ERROR"}
PROGRESS = {"queued": 25, "saving": 50, "importing": 50, "uploading": 50, "active": 100}


def _proxied(version: Version, last: str = "2.35") -> None:
    if version.at_least(_next(last)):
        raise NotFound("The resource could not be found.")


def _next(version: str) -> str:
    major, minor = version.split(".")
    return f"{major}.{int(minor) + 1}"


def _links(cloud: Cloud, image_id: str) -> list[dict]:
    return [*resource_links(cloud, "images", image_id),
            {"rel": "alternate", "type": "application/vnd.openstack.image",
             "href": cloud.settings.url(f"image/images/{image_id}")}]


def summary(cloud: Cloud, image: Image) -> dict:
    return {"id": image.id, "name": image.name, "links": _links(cloud, image.id)}


def detail(cloud: Cloud, image: Image) -> dict:
    properties = image.properties
    body = {
        **summary(cloud, image),
        "status": STATUS.get(image.status, "UNKNOWN"), "progress": PROGRESS.get(image.status, 0),
        "minDisk": image.min_disk, "minRam": image.min_ram, "metadata": properties,
        "created": isotime(image.created_at), "updated": isotime(image.updated_at),
        "OS-EXT-IMG-SIZE:size": image.size,
    }
    server_id = properties.get("instance_uuid")
    if server_id:
        body["server"] = {"id": server_id, "links": resource_links(cloud, "servers", server_id)}
    if "auto_disk_config" in properties:
        automatic = properties["auto_disk_config"].lower() in ("true", "1", "yes")
        body["OS-DCF:diskConfig"] = "AUTO" if automatic else "MANUAL"
    return body


def _list(cloud: Cloud, context, version: Version, request: Request, *, full: bool) -> dict:
    _proxied(version)
    params = request.query_params
    query = proxy.ProxyQuery(filters=proxy.parse_filters(dict(params)),
                             limit=parse_limit(params.get("limit")), marker=params.get("marker"))
    with cloud.db.session() as session:
        found = proxy.list_images(session, context, query)
        items = [detail(cloud, image) if full else summary(cloud, image) for image in found]
    body: dict = {"images": items}
    links = collection_links(cloud, request, "images/detail" if full else "images", found,
                             found[-1].id if found else None, query.limit)
    if links:
        body["images_links"] = links
    return body


@router.get("")
def list_images(cloud: CloudDep, context: Caller, version: Microversion,
                request: Request) -> dict:
    return _list(cloud, context, version, request, full=False)


@router.get("/detail")
def list_images_detail(cloud: CloudDep, context: Caller, version: Microversion,
                       request: Request) -> dict:
    return _list(cloud, context, version, request, full=True)


@router.api_route("/", methods=["GET", "DELETE"], include_in_schema=False)
def empty_image_id(_context: Caller):
    """``/v2.1/images/`` names an image with an empty ID: none exists (Nova answers 404)."""
    raise NotFound("Image not found.")


@router.get("/{image_id}")
def show_image(cloud: CloudDep, context: Caller, version: Microversion, image_id: str) -> dict:
    _proxied(version)
    with cloud.db.session() as session:
        return {"image": detail(cloud, proxy.get_image(session, context, image_id))}


@router.delete("/{image_id}", status_code=204)
def delete_image(cloud: CloudDep, context: Caller, version: Microversion,
                 image_id: str) -> Response:
    _proxied(version)
    with cloud.db.session() as session:
        proxy.delete_image(session, context, data.image_store(cloud.settings), image_id)
    return Response(status_code=204)


META_LAST = "2.38"


def _metadata_body(body, key: str) -> dict:
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, dict):
        raise BadRequest(f"Malformed request body: '{key}' must be an object.")
    return value


@router.get("/{image_id}/metadata")
def list_metadata(cloud: CloudDep, context: Caller, version: Microversion,
                  image_id: str) -> dict:
    _proxied(version, META_LAST)
    with cloud.db.session() as session:
        return {"metadata": proxy.get_image(session, context, image_id).properties}


def _set_all(cloud: Cloud, context, version: Version, image_id: str, body, *,
             replace: bool) -> dict:
    _proxied(version, META_LAST)
    metadata = _metadata_body(body, "metadata")
    with cloud.db.session() as session:
        return {"metadata": proxy.set_metadata(session, context, image_id, metadata,
                                               replace=replace)}


@router.post("/{image_id}/metadata")
def update_metadata(cloud: CloudDep, context: Caller, version: Microversion, image_id: str,
                    body: Annotated[dict, Body()]) -> dict:
    return _set_all(cloud, context, version, image_id, body, replace=False)


@router.put("/{image_id}/metadata")
def replace_metadata(cloud: CloudDep, context: Caller, version: Microversion, image_id: str,
                     body: Annotated[dict, Body()]) -> dict:
    return _set_all(cloud, context, version, image_id, body, replace=True)


@router.get("/{image_id}/metadata/{key}")
def show_metadata_item(cloud: CloudDep, context: Caller, version: Microversion,
                       image_id: str, key: str) -> dict:
    _proxied(version, META_LAST)
    with cloud.db.session() as session:
        return {"meta": {key: proxy.get_metadata_item(session, context, image_id, key)}}


@router.put("/{image_id}/metadata/{key}")
def set_metadata_item(cloud: CloudDep, context: Caller, version: Microversion, image_id: str,
                      key: str, body: Annotated[dict, Body()]) -> dict:
    _proxied(version, META_LAST)
    meta = _metadata_body(body, "meta")
    if len(meta) != 1:
        raise BadRequest("Request body contains too many items")
    if key not in meta:
        raise BadRequest("Request body and URI mismatch")
    with cloud.db.session() as session:
        proxy.set_metadata(session, context, image_id, meta, replace=False)
    return {"meta": meta}


@router.delete("/{image_id}/metadata/{key}", status_code=204)
def delete_metadata_item(cloud: CloudDep, context: Caller, version: Microversion,
                         image_id: str, key: str) -> Response:
    _proxied(version, META_LAST)
    with cloud.db.session() as session:
        proxy.delete_metadata_item(session, context, image_id, key)
    return Response(status_code=204)
