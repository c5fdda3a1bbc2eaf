"""Image members: the projects a ``shared`` image is offered to, and their answers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.image import Image, ImageMember
from pocketstack.errors import BadRequest, Conflict, Forbidden, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.image import access

MEMBER_STATUSES = ("pending", "accepted", "rejected")


def _shared(image: Image) -> Image:
    if image.visibility != "shared":
        raise Forbidden(f"Only shared images have members; image {image.id} is "
                        f"{image.visibility}.")
    return image


def _owner_view(context: RequestContext, image: Image) -> bool:
    return context.is_admin or image.owner == context.project_id


def list_members(session: Session, context: RequestContext, image_id: str) -> list[ImageMember]:
    image = _shared(access.readable(session, context, image_id))
    query = select(ImageMember).where(ImageMember.image_id == image.id)
    if not _owner_view(context, image):
        query = query.where(ImageMember.member == context.project_id)
    return list(session.scalars(query.order_by(ImageMember.created_at, ImageMember.member)))


def get_member(session: Session, context: RequestContext, image_id: str,
               member_id: str) -> ImageMember:
    image = _shared(access.readable(session, context, image_id))
    row = session.get(ImageMember, (image.id, member_id))
    if row is None or not (_owner_view(context, image) or member_id == context.project_id):
        raise NotFound(f"Member {member_id} not found for image {image_id}.")
    return row


def add_member(session: Session, context: RequestContext, image_id: str,
               member_id) -> ImageMember:
    image = _shared(access.writable(session, context, image_id))
    if not isinstance(member_id, str) or not member_id or len(member_id) > 255:
        raise BadRequest("'member' must be a project ID.")
    if session.get(ImageMember, (image.id, member_id)) is not None:
        raise Conflict(f"Member {member_id} is duplicated for image {image_id}.")
    row = ImageMember(image_id=image.id, member=member_id, status="pending")
    session.add(row)
    session.flush()
    return row


def set_member_status(session: Session, context: RequestContext, image_id: str,
                      member_id: str, status) -> ImageMember:
    """Only the member project itself (or an admin: Glance's modify_member) accepts or
    rejects an image offered to it."""
    row = get_member(session, context, image_id, member_id)
    if member_id != context.project_id and not context.is_admin:
        raise Forbidden("Only the member project may change its membership status.")
    context.require_writer()
    if status not in MEMBER_STATUSES:
        raise BadRequest(f"Invalid status {status!r}: use one of {list(MEMBER_STATUSES)}.")
    row.status = status
    row.updated_at = utcnow()
    return row


def remove_member(session: Session, context: RequestContext, image_id: str,
                  member_id: str) -> None:
    image = _shared(access.writable(session, context, image_id))
    row = session.get(ImageMember, (image.id, member_id))
    if row is None:
        raise NotFound(f"Member {member_id} not found for image {image_id}.")
    session.delete(row)
