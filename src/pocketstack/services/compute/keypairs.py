"""Keypairs: SSH keys (or X.509 certificates) that belong to a user, by name."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Keypair
from pocketstack.errors import BadRequest, Conflict, Forbidden, NotFound, QuotaExceeded
from pocketstack.services import listing, quota
from pocketstack.services.compute import key_material
from pocketstack.services.context import RequestContext

NAME = re.compile(r"^[_\- a-zA-Z0-9]{1,255}$")
TYPES = ("ssh", "x509")


def validate_name(name: str) -> None:
    """Nova's keypair names: 1-255 letters, digits, '_', '-' and inner spaces."""
    if not isinstance(name, str) or not NAME.match(name) or name != name.strip():
        raise BadRequest("Keypair data is invalid: Keypair name must be string and between 1 "
                         "and 255 characters long, of letters, digits, '_', '-' and spaces, "
                         "without leading or trailing spaces.")


def owner_of(context: RequestContext, user_id: str | None, action: str) -> str:
    """The user whose keypairs a call touches: the caller, or anyone when an admin asks."""
    if user_id is None or user_id == context.user_id:
        return context.user_id
    if not context.is_admin:
        raise Forbidden(f"Policy doesn't allow os_compute_api:os-keypairs:{action} to be "
                        "performed.")
    return user_id


def _check_quota(session: Session, context: RequestContext, user_id: str) -> None:
    used = session.scalar(select(func.count(Keypair.id)).where(Keypair.user_id == user_id))
    limit = quota.limits(session, context.require_project())["key_pairs"]
    if limit != quota.UNLIMITED and used + 1 > limit:
        raise QuotaExceeded("Quota exceeded, too many key pairs.")


def create_keypair(
    session: Session, context: RequestContext, name: str, *, key_type: str = "ssh",
    public_key: str | None = None, user_id: str | None = None,
) -> tuple[Keypair, str | None]:
    """Import ``public_key``, or make a new key when it is None.

    Returns the keypair and, for a made key only, its private half (never stored). Any
    role may manage its own keypairs (Nova: "(role:admin) or user_id:%(user_id)s").
    """
    owner = owner_of(context, user_id, "create")
    validate_name(name)
    if key_type not in TYPES:
        raise BadRequest(f"Keypair type must be one of {', '.join(TYPES)}.")
    _check_quota(session, context, owner)
    if session.scalar(select(Keypair.id).where(Keypair.user_id == owner,
                                               Keypair.name == name)) is not None:
        raise Conflict(f"Key pair '{name}' already exists.")
    if public_key is not None:
        material = key_material.KeyMaterial(
            public_key=public_key, fingerprint=key_material.fingerprint(public_key, key_type))
    elif key_type == "x509":
        material = key_material.new_x509_certificate(owner)
    else:
        material = key_material.new_ssh_key()
    keypair = Keypair(name=name, user_id=owner, type=key_type, public_key=material.public_key,
                      fingerprint=material.fingerprint)
    session.add(keypair)
    session.flush()
    return keypair, material.private_key


def get_keypair(
    session: Session, context: RequestContext, name: str, user_id: str | None = None
) -> Keypair:
    owner = owner_of(context, user_id, "show")
    keypair = session.scalar(select(Keypair).where(Keypair.user_id == owner,
                                                   Keypair.name == name))
    if keypair is None:
        raise NotFound(f"Keypair {name} not found for user {owner}")
    return keypair


def list_keypairs(
    session: Session, context: RequestContext, *, user_id: str | None = None,
    marker: str | None = None, limit: int | None = None,
) -> list[Keypair]:
    """One page of a user's keypairs by name; ``marker`` is a keypair name."""
    owner = owner_of(context, user_id, "index")
    query = select(Keypair).where(Keypair.user_id == owner)
    anchor = None
    if marker is not None:
        anchor = session.scalar(query.where(Keypair.name == marker))
        if anchor is None:
            raise BadRequest(f"Marker {marker} could not be found.")
    return listing.page(session, query, Keypair, marker=anchor.id if anchor else None,
                        limit=limit, sort_key="name")


def delete_keypair(
    session: Session, context: RequestContext, name: str, user_id: str | None = None
) -> None:
    owner_of(context, user_id, "delete")
    session.delete(get_keypair(session, context, name, user_id))
