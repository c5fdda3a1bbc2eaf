"""Quotas for every service: defaults, per-project overrides, and the check before a create."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.quota import QuotaLimit
from pocketstack.errors import Forbidden, QuotaExceeded
from pocketstack.services.context import RequestContext

UNLIMITED = -1

DEFAULTS: dict[str, int] = {
    # compute
    "instances": 10,
    "cores": 20,
    "ram": 51200,
    "key_pairs": 100,
    "metadata_items": 128,
    "server_groups": 10,
    "server_group_members": 10,
    "injected_files": 5,
    "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255,
    # network
    "network": 100,
    "subnet": 100,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "security_group": 10,
    "security_group_rule": 100,
}


def class_key(name: str) -> str:
    """Where quota class ``name`` keeps its limits (no project id has a colon)."""
    return f"class:{name}"


DEFAULT_CLASS = class_key("default")


def limits(session: Session, project_id: str) -> dict[str, int]:
    """Every quota of ``project_id``: the defaults, changed by the ``default`` quota class
    (Nova's ``os-quota-class-sets``), with the project's overrides applied."""
    found = dict(DEFAULTS)
    rows = list(session.scalars(select(QuotaLimit).where(
        QuotaLimit.project_id.in_((DEFAULT_CLASS, project_id)))))
    found.update({row.resource: row.hard_limit for row in rows
                  if row.project_id == DEFAULT_CLASS})
    found.update({row.resource: row.hard_limit for row in rows
                  if row.project_id != DEFAULT_CLASS})
    return found


def class_limits(session: Session, name: str = "default") -> dict[str, int]:
    """Quota class ``name``: the built-in defaults with the class's values applied."""
    found = dict(DEFAULTS)
    rows = session.scalars(select(QuotaLimit).where(QuotaLimit.project_id == class_key(name)))
    found.update({row.resource: row.hard_limit for row in rows})
    return found


def set_limits(session: Session, project_id: str, values: dict[str, int]) -> None:
    for resource, hard_limit in values.items():
        row = session.get(QuotaLimit, (project_id, resource))
        if row is None:
            session.add(QuotaLimit(project_id=project_id, resource=resource, hard_limit=hard_limit))
        else:
            row.hard_limit = hard_limit


def reset_limits(session: Session, project_id: str, resources: list[str] | None = None) -> None:
    """Back to the defaults: every override of ``project_id``, or only those of ``resources``."""
    query = select(QuotaLimit).where(QuotaLimit.project_id == project_id)
    if resources is not None:
        query = query.where(QuotaLimit.resource.in_(resources))
    for row in session.scalars(query):
        session.delete(row)


def require_readable(context: RequestContext, project_id: str) -> None:
    """An admin reads any project's quotas; others only their own project's."""
    if not context.owns(project_id):
        raise Forbidden("Policy does not allow reading another project's quota.")


def check(session: Session, project_id: str, resource: str, used: int, wanted: int = 1) -> None:
    """Raise QuotaExceeded when ``used + wanted`` would pass the project's limit."""
    limit = limits(session, project_id).get(resource, UNLIMITED)
    if limit != UNLIMITED and used + wanted > limit:
        raise QuotaExceeded(
            f"Quota exceeded for {resource}: requested {wanted}, but already used {used} "
            f"of {limit} {resource}."
        )
