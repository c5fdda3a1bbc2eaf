"""A server's metadata items and tags."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Server, ServerTag
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.compute import server_states as states
from pocketstack.services.compute.boot import check_metadata
from pocketstack.services.compute.servers import get_writable

MAX_TAGS = 50
CHANGEABLE = (states.ACTIVE, states.STOPPED)


def _changeable(session: Session, context, server_id: str, action: str) -> Server:
    """Nova changes metadata only of a settled server, and tags of any active/stopped one."""
    server = get_writable(session, context, server_id)
    tasks = (None,) if "metadata" in action else (server.task_state,)
    states.require_state(server, action, CHANGEABLE, tasks)
    return server


def set_metadata(session: Session, context, server_id: str, items: dict,
                 *, replace: bool) -> dict:
    """Merge ``items`` into the server's metadata (or replace it); the result."""
    server = _changeable(session, context, server_id, "update metadata")
    merged = dict(items) if replace else {**server.server_metadata, **items}
    check_metadata(session, server.project_id, merged)
    server.server_metadata = merged
    return merged


def delete_metadata_item(session: Session, context, server_id: str, key: str) -> None:
    server = _changeable(session, context, server_id, "delete metadata")
    if key not in server.server_metadata:
        raise NotFound("Metadata item was not found")
    server.server_metadata = {k: v for k, v in server.server_metadata.items() if k != key}


def tags_of(session: Session, server_id: str) -> list[str]:
    query = select(ServerTag.tag).where(ServerTag.server_id == server_id)
    return sorted(session.scalars(query))


def replace_tags(session: Session, context, server_id: str, tags: list[str]) -> list[str]:
    server = _changeable(session, context, server_id, "update tags")
    wanted = list(dict.fromkeys(tags))
    if len(wanted) > MAX_TAGS:
        raise BadRequest(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
    session.execute(delete(ServerTag).where(ServerTag.server_id == server.id))
    session.add_all(ServerTag(server_id=server.id, tag=tag) for tag in wanted)
    return sorted(wanted)


def add_tag(session: Session, context, server_id: str, tag: str) -> bool:
    """Add one tag; False when the server already had it."""
    server = _changeable(session, context, server_id, "update tag")
    if tag in tags_of(session, server.id):
        return False
    if len(tags_of(session, server.id)) >= MAX_TAGS:
        raise BadRequest(f"The number of tags exceeded the per-server limit {MAX_TAGS}")
    session.add(ServerTag(server_id=server.id, tag=tag))
    return True


def remove_tag(session: Session, context, server_id: str, tag: str | None) -> None:
    """Remove one tag (NotFound when absent), or every tag when ``tag`` is None."""
    server = _changeable(session, context, server_id, "delete tag")
    query = delete(ServerTag).where(ServerTag.server_id == server.id)
    if tag is not None:
        if tag not in tags_of(session, server.id):
            raise NotFound(f"Tag {tag} could not be found for server {server.id}.")
        query = query.where(ServerTag.tag == tag)
    session.execute(query)
