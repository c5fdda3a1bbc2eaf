"""``/servers/{id}/metadata`` and ``/servers/{id}/tags`` (tags from 2.26)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Body
from fastapi.responses import Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.server_requests import check_tag, invalid, tags
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.compute import server_metadata as metadata
from pocketstack.services.compute.servers import get_server

router = APIRouter(prefix="/v2.1/servers/{server_id}")


def _items(body: dict, key: str) -> dict:
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, dict):
        raise invalid(key, value, f"'{key}' is a required property and must be an object.")
    return value


@router.get("/metadata")
def list_metadata(cloud: CloudDep, context: Caller, server_id: str) -> dict:
    with cloud.db.session() as session:
        return {"metadata": dict(get_server(session, context, server_id).server_metadata)}


@router.post("/metadata")
def update_metadata(cloud: CloudDep, context: Caller, server_id: str,
                    body: Annotated[dict, Body()]) -> dict:
    items = _items(body, "metadata")
    with cloud.db.session() as session:
        return {"metadata": metadata.set_metadata(session, context, server_id, items,
                                                  replace=False)}


@router.put("/metadata")
def replace_metadata(cloud: CloudDep, context: Caller, server_id: str,
                     body: Annotated[dict, Body()]) -> dict:
    items = _items(body, "metadata")
    with cloud.db.session() as session:
        return {"metadata": metadata.set_metadata(session, context, server_id, items,
                                                  replace=True)}


@router.get("/metadata/{key}")
def show_metadata_item(cloud: CloudDep, context: Caller, server_id: str, key: str) -> dict:
    with cloud.db.session() as session:
        items = get_server(session, context, server_id).server_metadata
    if key not in items:
        raise NotFound("Metadata item was not found")
    return {"meta": {key: items[key]}}


@router.put("/metadata/{key}")
def set_metadata_item(cloud: CloudDep, context: Caller, server_id: str, key: str,
                      body: Annotated[dict, Body()]) -> dict:
    item = _items(body, "meta")
    if len(item) > 1:
        raise BadRequest("Request body contains too many items")
    if key not in item:
        raise BadRequest("Request body and URI mismatch")
    with cloud.db.session() as session:
        metadata.set_metadata(session, context, server_id, item, replace=False)
    return {"meta": item}


@router.delete("/metadata/{key}", status_code=204)
def delete_metadata_item(cloud: CloudDep, context: Caller, server_id: str, key: str) -> Response:
    with cloud.db.session() as session:
        metadata.delete_metadata_item(session, context, server_id, key)
    return Response(status_code=204)


def _require_tags(version: Version) -> None:
    if not version.at_least("2.26"):
        raise NotFound("Server tags are available from microversion 2.26.")


@router.get("/tags")
def list_tags(cloud: CloudDep, context: Caller, version: Microversion, server_id: str) -> dict:
    _require_tags(version)
    with cloud.db.session() as session:
        return {"tags": metadata.tags_of(session, get_server(session, context, server_id).id)}


@router.put("/tags")
def replace_tags(cloud: CloudDep, context: Caller, version: Microversion, server_id: str,
                 body: Annotated[dict, Body()]) -> dict:
    _require_tags(version)
    wanted = tags(body.get("tags") if isinstance(body, dict) else None)
    with cloud.db.session() as session:
        return {"tags": metadata.replace_tags(session, context, server_id, wanted)}


@router.delete("/tags", status_code=204)
def delete_tags(cloud: CloudDep, context: Caller, version: Microversion,
                server_id: str) -> Response:
    _require_tags(version)
    with cloud.db.session() as session:
        metadata.remove_tag(session, context, server_id, None)
    return Response(status_code=204)


@router.get("/tags/{tag}", status_code=204)
def check_tag_exists(cloud: CloudDep, context: Caller, version: Microversion, server_id: str,
                     tag: str) -> Response:
    _require_tags(version)
    with cloud.db.session() as session:
        server = get_server(session, context, server_id)
        if tag not in metadata.tags_of(session, server.id):
            raise NotFound(f"Tag {tag} could not be found for server {server.id}.")
    return Response(status_code=204)


@router.put("/tags/{tag}")
def add_tag(cloud: CloudDep, context: Caller, version: Microversion, server_id: str,
            tag: str) -> Response:
    _require_tags(version)
    check_tag(tag)
    with cloud.db.session() as session:
        added = metadata.add_tag(session, context, server_id, tag)
    # Quoted: a tag may hold any character, and a header may not (CR/LF, non-Latin-1).
    location = cloud.settings.url(
        f"compute/v2.1/servers/{quote(server_id, safe='')}/tags/{quote(tag, safe='')}")
    return Response(status_code=201 if added else 204, headers={"Location": location})


@router.delete("/tags/{tag}", status_code=204)
def delete_tag(cloud: CloudDep, context: Caller, version: Microversion, server_id: str,
               tag: str) -> Response:
    _require_tags(version)
    with cloud.db.session() as session:
        metadata.remove_tag(session, context, server_id, tag)
    return Response(status_code=204)
