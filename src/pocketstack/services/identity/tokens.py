"""Issue, validate and revoke tokens. Only a token's SHA-256 is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.identity import (
    ApplicationCredential,
    Domain,
    Project,
    Role,
    RoleAssignment,
    Token,
    User,
)
from pocketstack.errors import NotFound, Unauthorized
from pocketstack.services.context import RequestContext

AUTH_REQUIRED = "The request you have made requires authentication."


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


def _enabled(session: Session, model, row_id: str | None) -> bool:
    row = session.get(model, row_id) if row_id else None
    return row is not None and row.enabled


def token_roles(session: Session, row: Token) -> list[Role]:
    """The roles ``row`` carries now: its scope's assignments, narrowed by its app credential."""
    if row.project_id:
        roles = project_roles(session, row.user_id, row.project_id)
    elif row.domain_id:
        roles = domain_roles(session, row.user_id, row.domain_id)
    else:
        return []
    if row.application_credential_id:
        credential = session.get(ApplicationCredential, row.application_credential_id)
        allowed = set(credential.roles) if credential else set()
        roles = [role for role in roles if role.id in allowed]
    return roles


def lookup(session: Session, token: str) -> Token:
    """The live token row for ``token``, or Unauthorized.

    A token dies when it expires or is revoked, and whenever its user, project or domain
    (or theirs) is deleted or disabled, or it has lost every role on its scope.
    """
    row = session.get(Token, digest(token))
    if row is None or row.expires_at <= utcnow():
        raise Unauthorized(AUTH_REQUIRED)
    user = session.get(User, row.user_id)
    if user is None or not user.enabled or not _enabled(session, Domain, user.domain_id):
        raise Unauthorized(AUTH_REQUIRED)
    if row.project_id:
        project = session.get(Project, row.project_id)
        if project is None or not project.enabled:
            raise Unauthorized(AUTH_REQUIRED)
        if not _enabled(session, Domain, project.domain_id):
            raise Unauthorized(AUTH_REQUIRED)
    if row.domain_id and not _enabled(session, Domain, row.domain_id):
        raise Unauthorized(AUTH_REQUIRED)
    if (row.project_id or row.domain_id) and not token_roles(session, row):
        raise Unauthorized(AUTH_REQUIRED)
    return row


def lookup_subject(session: Session, token: str | None) -> Token:
    """The token another token asks about (``X-Subject-Token``): 404 when it is not live,
    as Keystone answers validation requests."""
    if not token:
        raise NotFound("X-Subject-Token is required.")
    try:
        return lookup(session, token)
    except Unauthorized:
        raise NotFound("Could not find token.") from None


def context_for(session: Session, token: str) -> RequestContext:
    row = lookup(session, token)
    user = session.get(User, row.user_id)
    project = session.get(Project, row.project_id) if row.project_id else None
    return RequestContext(
        user_id=user.id,
        user_name=user.name,
        domain_id=user.domain_id,
        project_id=project.id if project else None,
        project_name=project.name if project else None,
        roles=frozenset(role.name for role in token_roles(session, row)),
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


def revoke_for_project(session: Session, project_id: str) -> None:
    session.execute(delete(Token).where(Token.project_id == project_id))


def revoke_for_domain(session: Session, domain_id: str) -> None:
    """Every token scoped to the domain, to one of its projects, or held by one of its users."""
    in_domain = or_(
        Token.domain_id == domain_id,
        Token.project_id.in_(select(Project.id).where(Project.domain_id == domain_id)),
        Token.user_id.in_(select(User.id).where(User.domain_id == domain_id)),
    )
    session.execute(delete(Token).where(in_domain))


def current(session: Session, context: RequestContext) -> Token | None:
    """The token row the caller presented."""
    return session.get(Token, context.token_digest) if context.token_digest else None


def purge_expired(session: Session) -> None:
    session.execute(delete(Token).where(Token.expires_at <= utcnow()))
