"""Images: create, read, change, delete, tags, (de)activation. Data is in ``data.py``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.image import Image, ImageProperty, ImageTag
from pocketstack.errors import BadRequest, Conflict, Forbidden, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.image import access, rules
from pocketstack.services.image.store import ImageStore


def create_image(session: Session, context: RequestContext, body: dict) -> Image:
    """A new ``queued`` image from a Glance create body (base attributes + string extras)."""
    context.require_writer()
    project_id = context.require_project()
    if not isinstance(body, dict):
        raise rules.schema_error("the request body must be a JSON object")
    for key in body:
        rules.refuse_protected_key(key, creating=True)
    values = {"owner": project_id, "visibility": "shared", "tags": []}
    extras = {}
    for key, value in body.items():
        if key == "id":
            values["id"] = rules.image_id(value)
        elif key in rules.BASE:
            values[key] = rules.base_value(key, value)
            rules.check_policy(context, key, values[key])
        else:
            extras[key] = rules.property_value(key, value)
    rules.property_count(extras)
    if "id" in values and session.get(Image, values["id"]) is not None:
        raise Conflict(f"Image with identifier {values['id']} already exists!")
    tags = values.pop("tags")
    image = Image(**values)
    image.extra = [ImageProperty(name=k, value=v) for k, v in extras.items()]
    image.tag_rows = [ImageTag(value=tag) for tag in tags]
    session.add(image)
    session.flush()
    return image


def get_image(session: Session, context: RequestContext, image_id: str) -> Image:
    return access.readable(session, context, image_id)


def set_attributes(context: RequestContext, image: Image, base: dict, extras: dict) -> None:
    """Apply already-validated attributes, enforcing who may change what and when."""
    for key, value in base.items():
        old = image.tags if key == "tags" else getattr(image, key)
        rules.check_policy(context, key, value, old)
        if key in ("container_format", "disk_format") and value != old \
                and image.status != "queued":
            raise Forbidden(f"Attribute {key} can be only replaced for a queued image.")
        if key == "tags":
            image.tag_rows = [ImageTag(value=tag) for tag in value]
        else:
            setattr(image, key, value)
    rules.property_count(extras)
    current = {row.name: row for row in image.extra}
    image.extra = [
        _kept(current.get(name), image.id, name, value) for name, value in extras.items()
    ]
    image.updated_at = utcnow()


def _kept(row: ImageProperty | None, image_id: str, name: str, value: str) -> ImageProperty:
    if row is None:
        return ImageProperty(image_id=image_id, name=name, value=value)
    row.value = value
    return row


def delete_image(session: Session, context: RequestContext, store: ImageStore,
                 image_id: str) -> None:
    """Remove the image and its data. Protected images refuse (Forbidden)."""
    image = access.writable(session, context, image_id)
    if image.protected:
        raise Forbidden(f"Image {image_id} is protected and cannot be deleted.")
    session.delete(image)
    session.flush()
    store.remove(image_id)


def add_tag(session: Session, context: RequestContext, image_id: str, tag: str) -> None:
    image = access.writable(session, context, image_id)
    tag = rules.tag_value(tag)
    if tag not in image.tags:
        rules.tag_list([*image.tags, tag])
        image.tag_rows.append(ImageTag(value=tag))
        image.updated_at = utcnow()


def remove_tag(session: Session, context: RequestContext, image_id: str, tag: str) -> None:
    image = access.writable(session, context, image_id)
    row = next((row for row in image.tag_rows if row.value == tag), None)
    if row is None:
        raise NotFound(f"Tag {tag} not found.")
    image.tag_rows.remove(row)
    image.updated_at = utcnow()


def deactivate(session: Session, context: RequestContext, image_id: str) -> None:
    """active → deactivated (admin, or a member of the owner project, as Glance's default
    policy allows); deactivating twice is fine."""
    _transition(session, context, image_id, "deactivate", "deactivated", ("active",))


def reactivate(session: Session, context: RequestContext, image_id: str) -> None:
    _transition(session, context, image_id, "reactivate", "active", ("deactivated",))


def _transition(session, context, image_id, action, target, sources) -> None:
    image = access.readable(session, context, image_id)
    if not (context.is_admin or (image.owner == context.project_id and context.can_write)):
        raise Forbidden(f"You are not authorized to complete {action} action.")
    if image.status == target:
        return
    if image.status not in sources:
        raise BadRequest(f"Not allowed to {action} image in status '{image.status}'")
    image.status = target


def used_bytes(session: Session, project_id: str, *, excluding: str | None = None) -> int:
    """Bytes of image data owned by ``project_id`` (what the image quota counts)."""
    query = select(func.coalesce(func.sum(Image.size), 0)).where(Image.owner == project_id)
    if excluding:
        query = query.where(Image.id != excluding)
    return int(session.scalar(query))
