"""A short-lived, in-process cache of validated tokens.

Validating a token costs about ten queries (token, user, project, domains, roles); every
API call needs it. A hit is served for at most ``TTL`` seconds, and any identity write in
this process (a revoked token, a disabled user, a removed role…) empties the cache at
once, so revocation is immediate here and at most ``TTL`` late on other API replicas.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import event
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models import identity as models
from pocketstack.services.context import RequestContext

TTL = 2.0
MAX_ENTRIES = 10_000
IDENTITY_TABLES = {table.__tablename__ for table in (
    models.Domain, models.Project, models.User, models.Role, models.RoleAssignment,
    models.Token, models.ApplicationCredential,
)}

_entries: dict[str, tuple[float, RequestContext]] = {}
_lock = threading.Lock()


def get(digest: str) -> RequestContext | None:
    entry = _entries.get(digest)
    if entry is None:
        return None
    stored_at, context = entry
    if time.monotonic() - stored_at > TTL or (context.expires_at and context.expires_at <= utcnow()):
        _entries.pop(digest, None)
        return None
    return context


def put(digest: str, context: RequestContext) -> None:
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[digest] = (time.monotonic(), context)


def clear() -> None:
    with _lock:
        _entries.clear()


def _touches_identity(session: Session) -> bool:
    changed = (*session.new, *session.dirty, *session.deleted)
    return any(getattr(obj, "__tablename__", None) in IDENTITY_TABLES for obj in changed)


@event.listens_for(Session, "before_flush")
def _clear_on_identity_flush(session: Session, _context, _instances) -> None:
    if _touches_identity(session):
        clear()


@event.listens_for(Session, "do_orm_execute")
def _clear_on_identity_statement(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    tables = {getattr(entity.get("entity"), "__tablename__", None)
              for entity in state.statement.column_descriptions} if hasattr(
        state.statement, "column_descriptions") else set()
    if tables & IDENTITY_TABLES or not tables:
        clear()
