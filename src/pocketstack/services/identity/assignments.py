"""Role assignments: a role given to a user on a project or on a domain. Admin only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.db.models.identity import (
    ApplicationCredential,
    Domain,
    Project,
    Role,
    RoleAssignment,
    Token,
    User,
)
from pocketstack.errors import NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.identity import records
from pocketstack.services.identity.policy import require_admin


@dataclass(frozen=True)
class Target:
    """Where a grant applies: exactly one of a project or a domain."""

    project_id: str | None = None
    domain_id: str | None = None

    def check_exists(self, session: Session) -> None:
        if self.project_id:
            records.get(session, Project, self.project_id, "project")
        else:
            records.get(session, Domain, self.domain_id, "domain")

    def where(self):
        if self.project_id:
            return RoleAssignment.project_id == self.project_id
        return (RoleAssignment.domain_id == self.domain_id) & RoleAssignment.project_id.is_(None)


def _find(session: Session, user_id: str, target: Target, role_id: str) -> RoleAssignment | None:
    query = select(RoleAssignment).where(
        RoleAssignment.user_id == user_id, RoleAssignment.role_id == role_id, target.where()
    )
    return session.scalar(query)


def _check_parts(session: Session, user_id: str, target: Target, role_id: str | None) -> None:
    target.check_exists(session)
    records.get(session, User, user_id, "user")
    if role_id is not None:
        records.get(session, Role, role_id, "role")


def grant(session: Session, context: RequestContext, user_id: str, target: Target,
          role_id: str) -> None:
    """Give the role; granting one already held changes nothing."""
    require_admin(context, "create_grant")
    _check_parts(session, user_id, target, role_id)
    if _find(session, user_id, target, role_id) is None:
        session.add(RoleAssignment(user_id=user_id, role_id=role_id, project_id=target.project_id,
                                   domain_id=target.domain_id))
        session.flush()


def check(session: Session, context: RequestContext, user_id: str, target: Target,
          role_id: str) -> None:
    require_admin(context, "check_grant")
    _check_parts(session, user_id, target, role_id)
    if _find(session, user_id, target, role_id) is None:
        raise NotFound(f"Could not find role assignment with role: {role_id}, user: {user_id}.")


def revoke(session: Session, context: RequestContext, user_id: str, target: Target,
           role_id: str) -> None:
    """Take the role back, with the user's tokens and application credentials on the target."""
    check(session, context, user_id, target, role_id)
    session.delete(_find(session, user_id, target, role_id))
    tokens_on_target = delete(Token).where(Token.user_id == user_id)
    if target.project_id:
        session.execute(tokens_on_target.where(Token.project_id == target.project_id))
        session.execute(delete(ApplicationCredential).where(
            ApplicationCredential.user_id == user_id,
            ApplicationCredential.project_id == target.project_id,
        ))
    else:
        session.execute(tokens_on_target.where(Token.domain_id == target.domain_id))
    session.flush()


def list_grants(session: Session, context: RequestContext, user_id: str,
                target: Target) -> list[Role]:
    require_admin(context, "list_grants")
    _check_parts(session, user_id, target, None)
    query = (
        select(Role)
        .join(RoleAssignment, RoleAssignment.role_id == Role.id)
        .where(RoleAssignment.user_id == user_id, target.where())
        .order_by(Role.name)
    )
    return list(session.scalars(query))


def list_assignments(session: Session, context: RequestContext, *, user_id: str | None = None,
                     project_id: str | None = None, domain_id: str | None = None,
                     role_id: str | None = None) -> list[RoleAssignment]:
    """Direct assignments matching every given filter. Without groups or inheritance, the
    effective assignments are the direct ones."""
    require_admin(context, "list_role_assignments")
    query = select(RoleAssignment)
    if user_id:
        query = query.where(RoleAssignment.user_id == user_id)
    if project_id:
        query = query.where(RoleAssignment.project_id == project_id)
    if domain_id:
        query = query.where(Target(domain_id=domain_id).where())
    if role_id:
        query = query.where(RoleAssignment.role_id == role_id)
    return list(session.scalars(query.order_by(RoleAssignment.user_id, RoleAssignment.id)))
