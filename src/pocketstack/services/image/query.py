"""GET /v2/images: Glance's filters, sorting and marker paging.

Paging is keyset paging over the sort keys plus ``id`` (as ``services/listing.page`` does
for one key); it is written out here because Glance sorts on several keys at once and on
nullable columns, which ``page`` does not handle. The page after the last is empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Select, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from pocketstack.db.models.image import Image, ImageMember, ImageProperty, ImageTag
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.image import access, rules
from pocketstack.services.listing import MAX_LIMIT, parse_limit

DEFAULT_LIMIT = 25
SORT_KEYS = ("name", "status", "container_format", "disk_format", "size", "id", "created_at",
             "updated_at", "visibility", "owner", "min_disk", "min_ram", "virtual_size")
TEXT_FILTERS = ("name", "status", "owner", "container_format", "disk_format", "id")
PAGING = ("marker", "limit", "sort_key", "sort_dir", "sort")
TIME_OPERATORS = {"eq": "__eq__", "neq": "__ne__", "gt": "__gt__", "gte": "__ge__",
                  "lt": "__lt__", "lte": "__le__"}


@dataclass
class ImageQuery:
    filters: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=lambda: [("created_at", True)])
    marker: str | None = None
    limit: int = DEFAULT_LIMIT


def parse_query(pairs: list[tuple[str, str]]) -> ImageQuery:
    """An ImageQuery from the raw query string pairs; BadRequest for invalid values."""
    single = dict(pairs)
    keys = [value for name, value in pairs if name == "sort_key"]
    dirs = [value for name, value in pairs if name == "sort_dir"]
    limit = parse_limit(single.get("limit"))
    query = ImageQuery(
        filters={k: v for k, v in single.items() if k not in PAGING and k != "tag"},
        tags=[value for name, value in pairs if name == "tag"],
        marker=single.get("marker") or None,
        limit=DEFAULT_LIMIT if limit is None else min(limit, MAX_LIMIT),
    )
    if "sort" in single and (keys or dirs):
        raise BadRequest("The 'sort' parameter cannot be combined with sort_key/sort_dir.")
    if "sort" in single:
        query.sort = _parse_sort(single["sort"])
    elif keys or dirs:
        query.sort = _sort_pairs(keys or ["created_at"], dirs)
    return query


def _parse_sort(value: str) -> list[tuple[str, bool]]:
    pairs = []
    for part in value.split(","):
        key, _, direction = part.strip().partition(":")
        pairs.append((_sort_key(key), _descending(direction or "desc")))
    return pairs


def _sort_pairs(keys: list[str], dirs: list[str]) -> list[tuple[str, bool]]:
    if len(dirs) > 1 and len(dirs) != len(keys):
        raise BadRequest("The number of sort_dir values must match the number of sort_key.")
    dirs = dirs * len(keys) if len(dirs) == 1 else dirs or ["desc"] * len(keys)
    return [(_sort_key(k), _descending(d)) for k, d in zip(keys, dirs, strict=True)]


def _sort_key(key: str) -> str:
    if key not in SORT_KEYS:
        raise BadRequest(f"Invalid sort key: {key}. It must be one of: {', '.join(SORT_KEYS)}")
    return key


def _descending(direction: str) -> bool:
    if direction not in ("asc", "desc"):
        raise BadRequest(f"Invalid sort direction: {direction}")
    return direction == "desc"


def list_images(session: Session, context: RequestContext, query: ImageQuery) -> list[Image]:
    statement = _filtered(select(Image), context, query)
    order = [*query.sort, ("id", query.sort[-1][1])]
    if query.marker:
        statement = statement.where(_after(session, context, order, query.marker))
    columns = [_column(key) for key, _ in order]
    statement = statement.order_by(
        *(column.desc() if descending else column.asc()
          for column, (_, descending) in zip(columns, order, strict=True))
    )
    return list(session.scalars(statement.limit(query.limit)))


def _column(key: str):
    """The sort column; NULLs become a low value so keyset comparisons stay total."""
    column = getattr(Image, key)
    if key in ("size", "virtual_size"):
        return func.coalesce(column, -1)
    if key in ("name", "container_format", "disk_format", "owner"):
        return func.coalesce(column, "")
    return column


def _after(session: Session, context: RequestContext, order, marker: str):
    anchor = session.get(Image, marker)
    if anchor is None or not access.can_read(session, context, anchor):
        raise NotFound(f"Marker {marker} could not be found.")
    clauses, equal = [], []
    for key, descending in order:
        column = _column(key)
        value = session.scalar(select(column).where(Image.id == marker))
        beyond = column < value if descending else column > value
        clauses.append(and_(*equal, beyond))
        equal.append(column == value)
    return or_(*clauses)


def _filtered(statement: Select, context: RequestContext, query: ImageQuery) -> Select:
    filters = dict(query.filters)
    statement = _visibility(statement, context, filters.pop("visibility", None),
                            filters.pop("member_status", "accepted"))
    hidden = _boolean("os_hidden", filters.pop("os_hidden", "false"))
    statement = statement.where(Image.os_hidden.is_(hidden))
    if "protected" in filters:
        statement = statement.where(Image.protected.is_(_boolean("protected",
                                                                  filters.pop("protected"))))
    for name in TEXT_FILTERS:
        if name in filters:
            statement = statement.where(_text_match(getattr(Image, name), filters.pop(name)))
    for name, compare in (("size_min", "__ge__"), ("size_max", "__le__")):
        if name in filters:
            statement = statement.where(getattr(Image.size, compare)(_integer(name,
                                                                              filters.pop(name))))
    for name in ("created_at", "updated_at"):
        if name in filters:
            statement = statement.where(_time_match(getattr(Image, name), filters.pop(name)))
    for tag in query.tags:
        statement = statement.where(
            exists().where(ImageTag.image_id == Image.id, ImageTag.value == tag))
    for name, value in filters.items():
        statement = statement.where(exists().where(
            ImageProperty.image_id == Image.id, ImageProperty.name == name,
            ImageProperty.value == value))
    return statement


def _visibility(statement: Select, context, visibility: str | None, member_status: str):
    if visibility not in (None, "all", *rules.VISIBILITIES):
        raise BadRequest(f"Invalid visibility value: {visibility}")
    if member_status not in ("accepted", "pending", "rejected", "all"):
        raise BadRequest(f"Invalid status value: {member_status}")
    if visibility not in (None, "all"):
        statement = statement.where(Image.visibility == visibility)
    if context.is_admin:
        return statement
    member = select(ImageMember.image_id).where(ImageMember.member == context.project_id)
    if member_status != "all":
        member = member.where(ImageMember.status == member_status)
    owned = Image.owner == context.project_id
    shared = and_(Image.visibility == "shared", Image.id.in_(member))
    if visibility in ("public", "community"):
        return statement
    if visibility == "private":
        return statement.where(owned)
    if visibility == "shared":
        return statement.where(or_(owned, shared))
    readable = or_(owned, shared, Image.visibility == "public")
    if visibility == "all":
        readable = or_(readable, Image.visibility == "community")
    return statement.where(readable)


def _text_match(column, value: str):
    if value.startswith("in:"):
        choices = [part.strip().strip('"') for part in value[3:].split(",") if part.strip()]
        return column.in_(choices) if choices else false()
    return column == value


def _time_match(column, value: str):
    operator, _, moment = value.partition(":")
    if operator not in TIME_OPERATORS or not moment:
        operator, moment = "eq", value
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        raise BadRequest(f"Invalid timestamp: {moment}") from None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return getattr(column, TIME_OPERATORS[operator])(when)


def _boolean(name: str, value: str) -> bool:
    lowered = str(value).lower()
    if lowered not in ("true", "false", "1", "0", "yes", "no"):
        raise BadRequest(f"Invalid value for {name}: {value!r} is not a boolean.")
    return lowered in ("true", "1", "yes")


def _integer(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"Invalid value for {name}: {value!r} is not an integer.") from None
