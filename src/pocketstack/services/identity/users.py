"""Users: admin manages them; a user reads itself and changes its own password."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.identity import Domain, User
from pocketstack.errors import BadRequest, Unauthorized
from pocketstack.services.context import RequestContext
from pocketstack.services.identity import auth, records, tokens
from pocketstack.services.identity.passwords import hash_password
from pocketstack.services.identity.policy import require_admin, require_admin_or_self
from pocketstack.services.identity.projects import caller_domain_id
from pocketstack.services.identity.throttle import LoginGuard

COLUMNS = frozenset({"name", "enabled", "email", "description", "default_project_id"})


def list_users(session: Session, context: RequestContext, **filters) -> list[User]:
    require_admin(context, "list_users")
    query = records.filtered(select(User), User, filters)
    return list(session.scalars(query.order_by(User.name)))


def get_user(session: Session, context: RequestContext, user_id: str) -> User:
    require_admin_or_self(context, "get_user", user_id)
    return records.get(session, User, user_id, "user")


def create_user(session: Session, context: RequestContext, values: dict) -> User:
    require_admin(context, "create_user")
    values = dict(values)
    domain_id = values.pop("domain_id", None) or caller_domain_id(session, context)
    records.get(session, Domain, domain_id, "domain")
    records.ensure_unique(session, User, "user", name=values["name"], domain_id=domain_id)
    password = values.pop("password", None)
    user = User(domain_id=domain_id, enabled=True, extra={},
                password_hash=hash_password(password) if password is not None else None)
    records.apply(user, values, COLUMNS)
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, context: RequestContext, user_id: str, values: dict) -> User:
    """Change a user; a new password or disabling it revokes every token it holds."""
    require_admin(context, "update_user")
    user = records.get(session, User, user_id, "user")
    values = dict(values)
    if "domain_id" in values and values.pop("domain_id") != user.domain_id:
        raise BadRequest("Cannot change the domain_id of a user.")
    if "name" in values:
        records.ensure_unique(session, User, "user", exclude_id=user.id,
                              name=values["name"], domain_id=user.domain_id)
    if "password" in values:
        password = values.pop("password")
        user.password_hash = hash_password(password) if password is not None else None
        tokens.revoke_for_user(session, user.id)
    if values.get("enabled") is False:
        tokens.revoke_for_user(session, user.id)
    records.apply(user, values, COLUMNS)
    session.flush()
    return user


def delete_user(session: Session, context: RequestContext, user_id: str) -> None:
    """Delete a user with its grants, application credentials and tokens."""
    require_admin(context, "delete_user")
    user = records.get(session, User, user_id, "user")
    tokens.revoke_for_user(session, user.id)
    session.delete(user)
    session.flush()


def change_password(session: Session, user_id: str, original: str, password: str,
                    guard: LoginGuard = auth.UNGUARDED) -> None:
    """Self-service: the original password is the proof, as in Keystone (no token needed).

    Every token of the user is revoked. A wrong original password, an unknown or disabled
    user all answer the same 401; wrong originals count as failed logins (``guard``).
    """
    user = session.get(User, user_id)
    if not auth.check_user_password(guard, {"id": user_id}, user, original):
        raise Unauthorized(tokens.AUTH_REQUIRED)
    if not user.enabled:
        raise Unauthorized(tokens.AUTH_REQUIRED)
    user.password_hash = hash_password(password)
    tokens.revoke_for_user(session, user.id)
