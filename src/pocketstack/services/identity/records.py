"""Helpers every identity resource shares: attributes, lookups and uniqueness."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.errors import Conflict, NotFound
from pocketstack.services.identity.policy import truthy

# Never stored as extra attributes: Keystone computes them.
COMPUTED = frozenset({"id", "links"})


def apply(row, values: dict, columns: frozenset[str]) -> None:
    """Set ``columns`` of ``row`` from ``values``; keep every other attribute in ``row.extra``."""
    extra = dict(row.extra or {})
    for key, value in values.items():
        if key in columns:
            setattr(row, key, value)
        elif key not in COMPUTED:
            extra[key] = value
    row.extra = extra


def get(session: Session, model, row_id: str, kind: str):
    """The ``model`` row with ``row_id``, or Keystone's NotFound for ``kind``."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"Could not find {kind}: {row_id}.")
    return row


def ensure_unique(session: Session, model, kind: str, *, exclude_id: str | None = None,
                  **columns) -> None:
    """Conflict when another ``model`` row has the same ``columns`` (e.g. name in a domain)."""
    query = select(model.id).filter_by(**columns)
    if exclude_id:
        query = query.where(model.id != exclude_id)
    if session.scalar(query.limit(1)) is not None:
        where = ", ".join(f"{key}={value}" for key, value in columns.items())
        raise Conflict(f"Conflict occurred attempting to store {kind} - "
                       f"a {kind} with {where} already exists.")


def filtered(query, model, filters: dict):
    """``query`` narrowed by each given filter: ``enabled`` is read as Keystone reads booleans."""
    for key, value in filters.items():
        if value is None:
            continue
        query = query.where(getattr(model, key) == (truthy(value) if key == "enabled" else value))
    return query
