"""Neutron's view of quotas: the network resources of services/quota.py."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.quota import QuotaLimit
from pocketstack.errors import BadRequest
from pocketstack.services import quota
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common

RESOURCES = tuple(common.QUOTA_RESOURCES)


def limits(session: Session, context: RequestContext, project_id: str) -> dict[str, int]:
    quota.require_readable(context, project_id)
    found = quota.limits(session, project_id)
    return {name: found[name] for name in RESOURCES}


def defaults() -> dict[str, int]:
    return {name: quota.DEFAULTS[name] for name in RESOURCES}


def details(session: Session, context: RequestContext, project_id: str) -> dict[str, dict]:
    return {name: {"limit": limit, "used": common.usage(session, project_id, name),
                   "reserved": 0}
            for name, limit in limits(session, context, project_id).items()}


def update(session: Session, context: RequestContext, project_id: str,
           values: dict) -> dict[str, int]:
    context.require_admin()
    checked = {}
    for name, value in values.items():
        if name not in RESOURCES:
            raise BadRequest(f"Unrecognized attribute(s) '{name}'")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise BadRequest(f"Invalid input for {name}. Reason: '{value}' is not an "
                             f"integer.") from None
        if number < quota.UNLIMITED:
            raise BadRequest(f"Invalid input for {name}. Reason: '{number}' should be >= -1.")
        checked[name] = number
    quota.set_limits(session, project_id, checked)
    session.flush()
    return limits(session, context, project_id)


def reset(session: Session, context: RequestContext, project_id: str) -> None:
    context.require_admin()
    quota.reset_limits(session, project_id, list(RESOURCES))


def overridden(session: Session, context: RequestContext) -> list[tuple[str, dict[str, int]]]:
    """(project_id, limits) of every project with a network quota of its own."""
    context.require_admin()
    projects = session.scalars(select(QuotaLimit.project_id).where(
        QuotaLimit.resource.in_(RESOURCES)).distinct().order_by(QuotaLimit.project_id))
    return [(project_id, limits(session, context, project_id)) for project_id in projects]
