"""Roles: admin manages them. The built-in roles carry pocketstack's policies and stay."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.identity import Role
from pocketstack.errors import BadRequest, Forbidden
from pocketstack.services.context import RequestContext
from pocketstack.services.identity import records
from pocketstack.services.identity.bootstrap import ROLES as BUILT_IN
from pocketstack.services.identity.policy import require_admin

COLUMNS = frozenset({"name", "description"})


def list_roles(session: Session, context: RequestContext, **filters) -> list[Role]:
    require_admin(context, "list_roles")
    if filters.pop("domain_id", None):
        return []  # no domain-specific roles exist
    query = records.filtered(select(Role), Role, filters)
    return list(session.scalars(query.order_by(Role.name)))


def get_role(session: Session, context: RequestContext, role_id: str) -> Role:
    require_admin(context, "get_role")
    return records.get(session, Role, role_id, "role")


def create_role(session: Session, context: RequestContext, values: dict) -> Role:
    require_admin(context, "create_role")
    values = _without_domain(values)
    records.ensure_unique(session, Role, "role", name=values["name"])
    role = Role(extra={})
    records.apply(role, values, COLUMNS)
    session.add(role)
    session.flush()
    return role


def update_role(session: Session, context: RequestContext, role_id: str, values: dict) -> Role:
    require_admin(context, "update_role")
    role = records.get(session, Role, role_id, "role")
    values = _without_domain(values)
    if "name" in values and values["name"] != role.name:
        _refuse_for_built_in(role, "renamed")
        records.ensure_unique(session, Role, "role", exclude_id=role.id, name=values["name"])
    records.apply(role, values, COLUMNS)
    session.flush()
    return role


def delete_role(session: Session, context: RequestContext, role_id: str) -> None:
    """Delete a role and every assignment of it."""
    require_admin(context, "delete_role")
    role = records.get(session, Role, role_id, "role")
    _refuse_for_built_in(role, "deleted")
    session.delete(role)
    session.flush()


def _without_domain(values: dict) -> dict:
    values = dict(values)
    if values.pop("domain_id", None) is not None:
        raise BadRequest("Domain-specific roles are not supported.")
    return values


def _refuse_for_built_in(role: Role, what: str) -> None:
    if role.name in BUILT_IN:
        raise Forbidden(f"The {role.name} role is built into pocketstack's policies and cannot "
                        f"be {what}.")
