"""POST /v3/auth/tokens: password, token and application-credential methods, and scoping."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.identity import (
    ApplicationCredential,
    Domain,
    Project,
    User,
)
from pocketstack.errors import BadRequest, Unauthorized
from pocketstack.services.identity import tokens
from pocketstack.services.identity.passwords import verify_password
from pocketstack.services.identity.throttle import LoginGuard, LoginThrottle

AUTH_FAILED = "The request you have made requires authentication."
# For callers with no throttle of their own: a limit no one reaches.
UNGUARDED = LoginGuard(LoginThrottle(limit=1 << 62), "")


def _find_domain(session: Session, ref: dict | None) -> Domain:
    ref = ref or {}
    if "id" in ref:
        domain = session.get(Domain, ref["id"])
    elif "name" in ref:
        domain = session.scalar(select(Domain).where(Domain.name == ref["name"]))
    else:
        raise BadRequest("A domain needs an id or a name.")
    if domain is None or not domain.enabled:
        raise Unauthorized(AUTH_FAILED)
    return domain


def _domain_enabled(session: Session, domain_id: str) -> bool:
    domain = session.get(Domain, domain_id)
    return domain is not None and domain.enabled


def _find_user(session: Session, ref: dict) -> User:
    if "id" in ref:
        user = session.get(User, ref["id"])
    elif "name" in ref:
        domain = _find_domain(session, ref.get("domain"))
        user = session.scalar(
            select(User).where(User.name == ref["name"], User.domain_id == domain.id)
        )
    else:
        raise BadRequest("A user needs an id or a name with its domain.")
    return user


def user_reference(ref: dict, user: User | None) -> str:
    """Who a login is for, for throttling: the user's id, or the reference when unknown."""
    return user.id if user else repr(sorted((str(k), str(v)) for k, v in ref.items()
                                             if k != "password"))


def check_user_password(guard: LoginGuard, ref: dict, user: User | None, password: str) -> bool:
    return guard.verify(user_reference(ref, user),
                        lambda: verify_password(user.password_hash if user else None, password))


def _password_user(session: Session, payload: dict, guard: LoginGuard) -> User:
    ref = payload.get("user")
    if not isinstance(ref, dict) or not isinstance(ref.get("password"), str):
        raise BadRequest("The password method needs user and user.password.")
    user = _find_user(session, ref)
    if not check_user_password(guard, ref, user, ref["password"]):
        raise Unauthorized(AUTH_FAILED)
    if not user.enabled:
        raise Unauthorized(AUTH_FAILED)
    return user


def _application_credential(session: Session, payload: dict) -> ApplicationCredential:
    if not isinstance(payload, dict) or not isinstance(payload.get("secret"), str):
        raise BadRequest("The application_credential method needs a secret.")
    if "id" in payload:
        cred = session.get(ApplicationCredential, payload["id"])
    elif "name" in payload and isinstance(payload.get("user"), dict):
        user = _find_user(session, payload["user"])
        cred = session.scalar(
            select(ApplicationCredential).where(
                ApplicationCredential.name == payload["name"],
                ApplicationCredential.user_id == (user.id if user else ""),
            )
        )
    else:
        raise BadRequest("An application credential needs an id, or a name and its user.")
    if not verify_password(cred.secret_hash if cred else None, payload["secret"]):
        raise Unauthorized(AUTH_FAILED)
    if cred.expires_at and cred.expires_at <= utcnow():
        raise Unauthorized(AUTH_FAILED)
    return cred


def _scope(session: Session, scope: dict | str | None) -> tuple[Project | None, Domain | None]:
    if not scope or scope == "unscoped":
        return None, None
    if not isinstance(scope, dict):
        raise BadRequest("Invalid scope.")
    if "project" in scope:
        ref = scope["project"]
        if not isinstance(ref, dict):
            raise BadRequest("Invalid project scope.")
        if "id" in ref:
            project = session.get(Project, ref["id"])
        elif "name" in ref:
            domain = _find_domain(session, ref.get("domain"))
            project = session.scalar(
                select(Project).where(Project.name == ref["name"], Project.domain_id == domain.id)
            )
        else:
            raise BadRequest("A project scope needs an id or a name with its domain.")
        if project is None or not project.enabled:
            raise Unauthorized(AUTH_FAILED)
        return project, None
    if "domain" in scope:
        return None, _find_domain(session, scope["domain"])
    if "system" in scope:
        raise Unauthorized("System scope is not supported; scope to a project instead.")
    raise BadRequest("Invalid scope.")


def authenticate(session: Session, body: dict, ttl_seconds: int,
                 guard: LoginGuard = UNGUARDED) -> tokens.IssuedToken:
    """Check the credentials in ``body`` (the whole request document) and issue a token.

    Password checks go through ``guard`` (failed-login throttling, ``throttle.py``)."""
    auth = body.get("auth") if isinstance(body, dict) else None
    identity = auth.get("identity") if isinstance(auth, dict) else None
    methods = identity.get("methods") if isinstance(identity, dict) else None
    if not isinstance(methods, list) or not methods:
        raise BadRequest("Expecting auth.identity.methods.")
    project, domain = _scope(session, auth.get("scope"))
    expires_at: datetime | None = None
    audit_id = None
    app_cred_id = None
    if "password" in methods:
        user = _password_user(session, identity.get("password") or {}, guard)
    elif "token" in methods:
        ref = identity.get("token") or {}
        if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
            raise BadRequest("The token method needs token.id.")
        old = tokens.lookup(session, ref["id"])
        user = session.get(User, old.user_id)
        expires_at, audit_id = old.expires_at, old.audit_id
        if old.application_credential_id:
            raise Unauthorized("A token from an application credential cannot make new tokens.")
    elif "application_credential" in methods:
        cred = _application_credential(session, identity.get("application_credential"))
        user = session.get(User, cred.user_id)
        project, domain = session.get(Project, cred.project_id), None
        expires_at, app_cred_id = cred.expires_at, cred.id
        if project is None or not project.enabled:
            raise Unauthorized(AUTH_FAILED)
    else:
        raise Unauthorized(f"Unsupported authentication method: {methods[0]}.")
    if user is None or not user.enabled or not _domain_enabled(session, user.domain_id):
        raise Unauthorized(AUTH_FAILED)
    if project is not None and not _domain_enabled(session, project.domain_id):
        raise Unauthorized(AUTH_FAILED)
    roles = tokens.project_roles(session, user.id, project.id) if project is not None else None
    if roles is not None and app_cred_id:
        roles = [role for role in roles if role.id in set(cred.roles)]
    if roles is not None and not roles:
        raise Unauthorized(f"User {user.id} has no access to project {project.id}.")
    if domain is not None and not tokens.domain_roles(session, user.id, domain.id):
        raise Unauthorized(f"User {user.id} has no access to domain {domain.id}.")
    return tokens.issue(
        session,
        user=user,
        methods=[m for m in methods if isinstance(m, str)],
        ttl_seconds=ttl_seconds,
        project=project,
        domain=domain,
        expires_at=expires_at,
        application_credential_id=app_cred_id,
        audit_id=audit_id,
    )
