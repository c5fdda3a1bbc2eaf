"""Marker/limit paging shared by every list call: the last page is always empty."""

from __future__ import annotations

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from pocketstack.errors import BadRequest, NotFound

MAX_LIMIT = 1000


def parse_limit(value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"limit must be an integer, not {value!r}.") from None
    if limit < 0:
        raise BadRequest("limit must be zero or more.")
    return min(limit, MAX_LIMIT)


def page(
    session: Session,
    query: Select,
    model,
    *,
    marker: str | None = None,
    limit: int | None = None,
    sort_key: str = "created_at",
    descending: bool = False,
) -> list:
    """Rows of ``query`` after ``marker`` (an id), sorted by ``sort_key`` then id.

    An unknown marker is NotFound ("marker not found"), as Nova and Glance answer.
    """
    column = getattr(model, sort_key)
    order = (column.desc(), model.id.desc()) if descending else (column.asc(), model.id.asc())
    if marker:
        anchor = session.execute(select(column, model.id).where(model.id == marker)).first()
        if anchor is None:
            raise NotFound(f"Marker {marker} could not be found.")
        value, anchor_id = anchor
        if descending:
            after = or_(column < value, and_(column == value, model.id < anchor_id))
        else:
            after = or_(column > value, and_(column == value, model.id > anchor_id))
        query = query.where(after)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
