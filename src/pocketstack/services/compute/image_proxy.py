"""Nova's image proxy (``/v2.1/images``, microversions up to 2.35; image metadata up to
2.38): Glance's images seen through compute, read and changed through the image service
layer (never over HTTP). Image metadata is the image's extra properties, limited like
server metadata (``metadata_items``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pocketstack.db.models.image import Image
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.compute import boot
from pocketstack.services.context import RequestContext
from pocketstack.services.image import images, query, rules
from pocketstack.services.image.store import ImageStore
from pocketstack.services.listing import MAX_LIMIT


@dataclass(frozen=True)
class ProxyQuery:
    """Nova's image filters: ``name``, ``status`` (Nova's or Glance's word), ``server``
    (an id or a server URL), ``type`` (snapshot, backup), ``changes-since``."""

    filters: dict[str, str] = field(default_factory=dict)
    limit: int | None = None
    marker: str | None = None


FILTERS = {"name": "name", "status": "status", "server": "instance_uuid",
           "type": "image_type", "changes-since": "updated_at"}


def parse_filters(params: dict[str, str]) -> dict[str, str]:
    """Glance filters from Nova's query parameters; unknown parameters are ignored."""
    found = {}
    for key, glance_key in FILTERS.items():
        value = params.get(key)
        if not value:
            continue
        if key == "status":
            value = value.lower()
        elif key == "server":
            value = value.rstrip("/").rsplit("/", 1)[-1]
        elif key == "changes-since":
            value = f"gte:{value}"
        found[glance_key] = value
    return found


def list_images(session: Session, context: RequestContext, request: ProxyQuery) -> list[Image]:
    """The images the caller may see, newest first, a page of ``limit`` after ``marker``."""
    limit = MAX_LIMIT if request.limit is None else min(request.limit, MAX_LIMIT)
    glance_query = query.ImageQuery(filters=dict(request.filters), marker=request.marker,
                                    limit=limit)
    try:
        return query.list_images(session, context, glance_query)
    except NotFound:
        raise BadRequest(f"marker [{request.marker}] not found") from None


def get_image(session: Session, context: RequestContext, image_id: str) -> Image:
    try:
        return images.get_image(session, context, image_id)
    except NotFound:
        raise NotFound("Image not found.") from None


def delete_image(session: Session, context: RequestContext, store: ImageStore,
                 image_id: str) -> None:
    """Delete through Glance's rules (owner or admin; a protected image is Forbidden)."""
    get_image(session, context, image_id)
    images.delete_image(session, context, store, image_id)


def get_metadata_item(session: Session, context: RequestContext, image_id: str,
                      key: str) -> str:
    properties = get_image(session, context, image_id).properties
    if key not in properties:
        raise NotFound("Image not found.")
    return properties[key]


def set_metadata(session: Session, context: RequestContext, image_id: str, metadata: dict,
                 *, replace: bool) -> dict[str, str]:
    """Merge ``metadata`` into the image's properties, or replace them all; the result."""
    image = get_image(session, context, image_id)
    merged = dict(metadata) if replace else {**image.properties, **metadata}
    return _store(session, context, image, merged)


def delete_metadata_item(session: Session, context: RequestContext, image_id: str,
                         key: str) -> None:
    image = get_image(session, context, image_id)
    properties = image.properties
    if key not in properties:
        raise NotFound("Image not found.")
    del properties[key]
    _store(session, context, image, properties)


def _store(session: Session, context: RequestContext, image: Image,
           properties: dict) -> dict[str, str]:
    if not (context.is_admin or image.owner == context.project_id):
        context.require_admin()  # Glance refuses others' images as Forbidden too
    context.require_writer()
    boot.check_metadata(session, image.owner or context.require_project(), properties)
    for key in properties:
        rules.refuse_protected_key(key)
    images.set_attributes(context, image, {}, properties)
    return image.properties
