"""Glance v2 JSON shapes for images and members. Links are relative, as Glance prints them."""

from __future__ import annotations

from urllib.parse import urlencode

from pocketstack.db.base import isotime
from pocketstack.db.models.image import Image, ImageMember


def image_view(image: Image) -> dict:
    path = f"/v2/images/{image.id}"
    return {
        **image.properties,
        "id": image.id,
        "name": image.name,
        "status": image.status,
        "visibility": image.visibility,
        "protected": image.protected,
        "os_hidden": image.os_hidden,
        "checksum": image.checksum,
        "os_hash_algo": image.os_hash_algo,
        "os_hash_value": image.os_hash_value,
        "size": image.size,
        "virtual_size": image.virtual_size,
        "container_format": image.container_format,
        "disk_format": image.disk_format,
        "min_disk": image.min_disk,
        "min_ram": image.min_ram,
        "owner": image.owner,
        "tags": image.tags,
        "created_at": isotime(image.created_at),
        "updated_at": isotime(image.updated_at),
        "self": path,
        "file": f"{path}/file",
        "schema": "/v2/schemas/image",
    }


def images_view(images: list[Image], pairs: list[tuple[str, str]], limit: int) -> dict:
    """The list document; ``next`` only when the page is full (the page after is empty)."""
    kept = [(k, v) for k, v in pairs if k != "marker"]
    body = {
        "images": [image_view(image) for image in images],
        "first": _link(kept),
        "schema": "/v2/schemas/images",
    }
    if images and len(images) >= limit:
        body["next"] = _link([*kept, ("marker", images[-1].id)])
    return body


def _link(pairs: list[tuple[str, str]]) -> str:
    return "/v2/images" + (f"?{urlencode(pairs)}" if pairs else "")


def member_view(row: ImageMember) -> dict:
    return {
        "image_id": row.image_id,
        "member_id": row.member,
        "status": row.status,
        "created_at": isotime(row.created_at),
        "updated_at": isotime(row.updated_at),
        "schema": "/v2/schemas/member",
    }
