"""Who may see and change an image: Glance's visibility rules in one place.

- ``public`` and ``community`` images: everyone may read them.
- ``private``: only the owner project. ``shared``: the owner and its member projects.
- Admin reads everything. Writing needs the owner project (or admin) and a writer role.
Someone who may not see an image gets NotFound, never Forbidden, so IDs do not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from pocketstack.db.models.image import Image, ImageMember
from pocketstack.errors import Forbidden, NotFound
from pocketstack.services.context import RequestContext


def not_found(image_id: str) -> NotFound:
    return NotFound(f"No image found with ID {image_id}")


def visible_to(context: RequestContext) -> ColumnElement[bool] | None:
    """The SQL condition for images ``context`` may read; None when it may read all."""
    if context.is_admin:
        return None
    memberships = select(ImageMember.image_id).where(ImageMember.member == context.project_id)
    return or_(
        Image.visibility.in_(("public", "community")),
        Image.owner == context.project_id,
        and_(Image.visibility == "shared", Image.id.in_(memberships)),
    )


def can_read(session: Session, context: RequestContext, image: Image) -> bool:
    if context.is_admin or image.visibility in ("public", "community"):
        return True
    if image.owner == context.project_id:
        return True
    if image.visibility != "shared":
        return False
    return session.get(ImageMember, (image.id, context.project_id)) is not None


def readable(session: Session, context: RequestContext, image_id: str) -> Image:
    image = session.get(Image, image_id)
    if image is None or not can_read(session, context, image):
        raise not_found(image_id)
    return image


def writable(session: Session, context: RequestContext, image_id: str) -> Image:
    """The image, for a change by its owner project or an admin (else Forbidden/NotFound)."""
    image = readable(session, context, image_id)
    if not (context.is_admin or image.owner == context.project_id):
        raise Forbidden(f"You are not permitted to modify image {image_id}.")
    context.require_writer()
    return image
