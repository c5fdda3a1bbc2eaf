"""Application credentials: a user's own secrets bound to one project and some of its roles.

Keystone's rules: only the owner creates them (from a project-scoped token); the secret is
shown once; a token made from a restricted application credential may not create or
delete application credentials.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.identity import ApplicationCredential, Role, User
from pocketstack.errors import BadRequest, Forbidden, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.identity import records, tokens
from pocketstack.services.identity.passwords import hash_password
from pocketstack.services.identity.policy import denied, require_admin_or_self


def _forbid_restricted_token(session: Session, context: RequestContext) -> None:
    row = tokens.current(session, context)
    if row is None or not row.application_credential_id:
        return
    credential = session.get(ApplicationCredential, row.application_credential_id)
    if credential is None or not credential.unrestricted:
        raise Forbidden("Using method 'application_credential' is not allowed for managing "
                        "additional application credentials.")


def _expiry(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"Invalid expires_at {value!r}: expected an ISO 8601 time.") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    if moment <= utcnow():
        raise BadRequest("expires_at must be in the future.")
    return moment


def _chosen_roles(session: Session, context: RequestContext, refs: list[dict] | None) -> list:
    """Role ids for the credential: the token's roles when none are named (absent or empty),
    else those named, each of which the caller must hold on the project."""
    held = {role.name: role for role in session.scalars(
        select(Role).where(Role.name.in_(context.roles)))}
    if not refs:
        return [role.id for role in held.values()]
    chosen = []
    for ref in refs:
        role = next((r for r in held.values() if r.id == ref.get("id") or r.name == ref.get("name")),
                    None)
        if role is None:
            wanted = ref.get("id") or ref.get("name")
            raise NotFound(f"Could not find role assignment with role: {wanted}, user: "
                           f"{context.user_id}, project: {context.project_id}.")
        chosen.append(role.id)
    return list(dict.fromkeys(chosen))


def create(session: Session, context: RequestContext, user_id: str,
           values: dict) -> tuple[ApplicationCredential, str]:
    """A new credential and its secret (generated when absent; never retrievable again)."""
    if context.user_id != user_id:
        raise denied("create_application_credential")
    project_id = context.require_project()
    _forbid_restricted_token(session, context)
    records.ensure_unique(session, ApplicationCredential, "application credential",
                          user_id=user_id, name=values["name"])
    secret = values.get("secret") or secrets.token_urlsafe(64)
    credential = ApplicationCredential(
        name=values["name"],
        user_id=user_id,
        project_id=project_id,
        secret_hash=hash_password(secret),
        description=values.get("description"),
        expires_at=_expiry(values.get("expires_at")),
        unrestricted=bool(values.get("unrestricted")),
        roles=_chosen_roles(session, context, values.get("roles")),
    )
    session.add(credential)
    session.flush()
    return credential, secret


def list_credentials(session: Session, context: RequestContext, user_id: str,
                     name: str | None = None) -> list[ApplicationCredential]:
    require_admin_or_self(context, "list_application_credentials", user_id)
    records.get(session, User, user_id, "user")
    query = select(ApplicationCredential).where(ApplicationCredential.user_id == user_id)
    if name is not None:
        query = query.where(ApplicationCredential.name == name)
    return list(session.scalars(query.order_by(ApplicationCredential.name)))


def get(session: Session, context: RequestContext, user_id: str,
        credential_id: str) -> ApplicationCredential:
    require_admin_or_self(context, "get_application_credential", user_id)
    credential = session.get(ApplicationCredential, credential_id)
    if credential is None or credential.user_id != user_id:
        raise NotFound(f"Could not find application credential: {credential_id}.")
    return credential


def delete(session: Session, context: RequestContext, user_id: str, credential_id: str) -> None:
    """Delete the credential; every token made from it dies with it."""
    credential = get(session, context, user_id, credential_id)
    _forbid_restricted_token(session, context)
    session.delete(credential)
    session.flush()
