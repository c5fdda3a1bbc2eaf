"""Issue, validate and revoke tokens. Only a token's SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.identity import (
    Domain,
    Project,
    Role,
    RoleAssignment,
    Token,
    User,
)
from pocketstack.errors import NotFound, Unauthorized
from pocketstack.services.context import RequestContext


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    value: str
    row: Token


def project_roles(session: Session, user_id: str, project_id: str) -> list[Role]:
    query = (
        select(Role)
        .join(RoleAssignment, RoleAssignment.role_id == Role.id)
        .where(RoleAssignment.user_id == user_id, RoleAssignment.project_id == project_id)
        .order_by(Role.name)
    )
    return list(session.scalars(query))


def domain_roles(session: Session, user_id: str, domain_id: str) -> list[Role]:
    query = (
        select(Role)
        .join(RoleAssignment, RoleAssignment.role_id == Role.id)
        .where(
            RoleAssignment.user_id == user_id,
            RoleAssignment.domain_id == domain_id,
            RoleAssignment.project_id.is_(None),
        )
        .order_by(Role.name)
    )
    return list(session.scalars(query))


def issue(
    session: Session,
    *,
    user: User,
    methods: list[str],
    ttl_seconds: int,
    project: Project | None = None,
    domain: Domain | None = None,
    expires_at: datetime | None = None,
    application_credential_id: str | None = None,
    audit_id: str | None = None,
) -> IssuedToken:
    value = secrets.token_urlsafe(32)
    now = utcnow()
    limit = now + timedelta(seconds=ttl_seconds)
    row = Token(
        digest=digest(value),
        user_id=user.id,
        project_id=project.id if project else None,
        domain_id=domain.id if domain else None,
        issued_at=now,
        expires_at=min(limit, expires_at) if expires_at else limit,
        methods=methods,
        audit_id=audit_id or secrets.token_urlsafe(16)[:22],
        application_credential_id=application_credential_id,
    )
    session.add(row)
    return IssuedToken(value, row)


def lookup(session: Session, token: str) -> Token:
    """The live token row for ``token``, or Unauthorized (expired, revoked, or owner gone)."""
    row = session.get(Token, digest(token))
    if row is None or row.expires_at <= utcnow():
        raise Unauthorized("The request you have made requires authentication.")
    user = session.get(User, row.user_id)
    if user is None or not user.enabled:
        raise Unauthorized("The request you have made requires authentication.")
    if row.project_id:
        project = session.get(Project, row.project_id)
        if project is None or not project.enabled:
            raise Unauthorized("The request you have made requires authentication.")
    return row


def context_for(session: Session, token: str) -> RequestContext:
    row = lookup(session, token)
    user = session.get(User, row.user_id)
    project = session.get(Project, row.project_id) if row.project_id else None
    if project is not None:
        roles = project_roles(session, user.id, project.id)
    elif row.domain_id:
        roles = domain_roles(session, user.id, row.domain_id)
    else:
        roles = []
    return RequestContext(
        user_id=user.id,
        user_name=user.name,
        domain_id=user.domain_id,
        project_id=project.id if project else None,
        project_name=project.name if project else None,
        roles=frozenset(role.name for role in roles),
        expires_at=row.expires_at,
        token_digest=row.digest,
    )


def revoke(session: Session, token: str) -> None:
    row = session.get(Token, digest(token))
    if row is None:
        raise NotFound("Could not find token.")
    session.delete(row)


def revoke_for_user(session: Session, user_id: str) -> None:
    session.execute(delete(Token).where(Token.user_id == user_id))


def purge_expired(session: Session) -> None:
    session.execute(delete(Token).where(Token.expires_at <= utcnow()))
