"""Octavia's view of quotas: unlimited (-1) unless an admin sets a limit per project."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.quota import QuotaLimit
from pocketstack.errors import BadRequest
from pocketstack.services import quota
from pocketstack.services.context import RequestContext
from pocketstack.services.loadbalancer.common import QUOTA_RESOURCES

RESOURCES = tuple(QUOTA_RESOURCES)
# Octavia's older names, still accepted and answered.
ALIASES = {"loadbalancer": "load_balancer", "healthmonitor": "health_monitor"}


def _shape(values: dict[str, int]) -> dict[str, int]:
    return {**values, "loadbalancer": values["load_balancer"],
            "healthmonitor": values["health_monitor"], "l7policy": -1, "l7rule": -1}


def defaults() -> dict[str, int]:
    return _shape({name: quota.UNLIMITED for name in RESOURCES})


def limits(session: Session, context: RequestContext, project_id: str) -> dict[str, int]:
    quota.require_readable(context, project_id)
    found = quota.limits(session, project_id)
    return _shape({name: found.get(name, quota.UNLIMITED) for name in RESOURCES})


def overridden(session: Session, context: RequestContext) -> list[tuple[str, dict]]:
    """Projects with a limit of their own (admin: all; others: their own)."""
    query = select(QuotaLimit.project_id).where(QuotaLimit.resource.in_(RESOURCES)).distinct()
    projects = sorted(set(session.scalars(query)))
    if not context.is_admin:
        projects = [p for p in projects if p == context.project_id]
    return [(project, limits(session, context, project)) for project in projects]


def update(session: Session, context: RequestContext, project_id: str,
           values: dict) -> dict[str, int]:
    context.require_admin()
    checked = {}
    for name, value in values.items():
        name = ALIASES.get(name, name)
        if name not in RESOURCES:
            raise BadRequest(f"Unknown attribute for argument quota: {name}")
        if value is None:
            value = quota.UNLIMITED
        if not isinstance(value, int) or isinstance(value, bool) or value < quota.UNLIMITED:
            raise BadRequest(f"Invalid input for field/attribute {name}. Value: '{value}'. "
                             f"Value should be an integer of -1 (unlimited) or more.")
        checked[name] = value
    quota.set_limits(session, project_id, checked)
    session.flush()
    return limits(session, context, project_id)


def reset(session: Session, context: RequestContext, project_id: str) -> None:
    context.require_admin()
    quota.reset_limits(session, project_id, list(RESOURCES))
