"""Keystone's default policies, reduced to what pocketstack's three roles need.

The ``admin`` role manages everything. Any user may read itself, list its own projects,
change its own password and manage its own application credentials, and read the project
and domain its token is scoped to.
"""

from __future__ import annotations

from pocketstack.errors import Forbidden
from pocketstack.services.context import RequestContext


def denied(action: str) -> Forbidden:
    return Forbidden(f"You are not authorized to perform the requested action: identity:{action}.")


def require_admin(context: RequestContext, action: str) -> None:
    if not context.is_admin:
        raise denied(action)


def require_admin_or_self(context: RequestContext, action: str, user_id: str) -> None:
    if not context.is_admin and context.user_id != user_id:
        raise denied(action)


def truthy(value: str | bool) -> bool:
    """A query-string boolean the way Keystone reads one (``enabled=false``, ``=0``, ``=no``)."""
    if isinstance(value, bool):
        return value
    return value.strip().lower() not in ("0", "false", "f", "no", "n", "off")
