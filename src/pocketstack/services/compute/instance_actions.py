"""Instance actions (``os-instance-actions``): a small audit trail per server.

``record`` is called by the service that writes an action's desired state, in the same
transaction, so an accepted action always has its row and a refused one never does. The
server reconciler calls ``finish`` in the transaction that reports the outcome. Rows
outlive their server (listable from microversion 2.21) and are pruned: a server keeps its
newest ``MAX_PER_SERVER`` actions, a deleted server's actions go ``RETENTION`` after its
delete finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.compute import InstanceAction, Server
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.context import RequestContext

MAX_PER_SERVER = 50
RETENTION = timedelta(days=7)

# Nova's action names and the compute event each one waits for (None: the API completes it).
EVENTS: dict[str, str | None] = {
    "create": "compute__do_build_and_run_instance",
    "delete": "compute_terminate_instance",
    "start": "compute_start_instance",
    "stop": "compute_stop_instance",
    "reboot": "compute_reboot_instance",
    "rebuild": "compute_rebuild_instance",
    "createImage": "compute_snapshot_instance",
    "createBackup": "compute_backup_instance",
    "lock": None,
    "unlock": None,
}


def record(session: Session, context: RequestContext, server: Server, action: str) -> None:
    """Add ``action`` on ``server`` by the caller; its event starts now, unfinished."""
    session.add(InstanceAction(
        server_id=server.id, project_id=server.project_id, user_id=context.user_id,
        action=action, request_id=context.request_id or "", event=EVENTS[action],
    ))
    _keep_newest(session, server.id)


def _keep_newest(session: Session, server_id: str) -> None:
    stale = (select(InstanceAction.id).where(InstanceAction.server_id == server_id)
             .order_by(InstanceAction.created_at.desc(), InstanceAction.id.desc())
             .offset(MAX_PER_SERVER))
    ids = list(session.scalars(stale))
    if ids:
        session.execute(delete(InstanceAction).where(InstanceAction.id.in_(ids)))


def finish(session: Session, server_id: str, error: str | None = None) -> None:
    """Finish the server's open events: ``Success``, or ``Error`` with the action's message
    set to ``Error`` (Nova's word; the detail is in the server's fault)."""
    values: dict = {"finished_at": utcnow(), "result": "Error" if error else "Success"}
    if error:
        values["message"] = "Error"
    session.execute(update(InstanceAction).where(
        InstanceAction.server_id == server_id, InstanceAction.event.is_not(None),
        InstanceAction.finished_at.is_(None)).values(**values)
        .execution_options(synchronize_session=False))


def prune_deleted(session: Session, now: datetime | None = None) -> None:
    """Forget the actions of servers whose delete finished more than ``RETENTION`` ago."""
    cutoff = (now or utcnow()) - RETENTION
    gone = select(InstanceAction.server_id).where(
        InstanceAction.action == "delete", InstanceAction.finished_at < cutoff)
    session.execute(delete(InstanceAction).where(InstanceAction.server_id.in_(gone))
                    .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class ActionQuery:
    """Paging (2.58: ``limit``, ``marker`` = a request id, ``changes-since``; 2.66:
    ``changes-before``), newest first."""

    limit: int | None = None
    marker: str | None = None
    changes_since: datetime | None = None
    changes_before: datetime | None = None


def list_actions(session: Session, context: RequestContext, server_id: str, *,
                 deleted_too: bool, query: ActionQuery = ActionQuery()) -> list[InstanceAction]:
    """The server's actions, newest first. A server the caller may not see is NotFound; a
    deleted one is too unless ``deleted_too`` (2.21) and its actions are the caller's."""
    _check_server(session, context, server_id, deleted_too)
    statement = (select(InstanceAction).where(InstanceAction.server_id == server_id)
                 .order_by(InstanceAction.created_at.desc(), InstanceAction.id.desc()))
    if query.changes_since is not None:
        statement = statement.where(InstanceAction.updated_at >= query.changes_since)
    if query.changes_before is not None:
        statement = statement.where(InstanceAction.updated_at <= query.changes_before)
    actions = list(session.scalars(statement))
    if query.marker is not None:
        ids = [action.request_id for action in actions]
        if query.marker not in ids:
            raise BadRequest(f"Marker {query.marker} could not be found.")
        actions = actions[ids.index(query.marker) + 1:]
    return actions[:query.limit] if query.limit is not None else actions


def get_action(session: Session, context: RequestContext, server_id: str, request_id: str, *,
               deleted_too: bool) -> InstanceAction:
    _check_server(session, context, server_id, deleted_too)
    action = session.scalars(select(InstanceAction).where(
        InstanceAction.server_id == server_id, InstanceAction.request_id == request_id)
        .order_by(InstanceAction.created_at)).first()
    if action is None:
        raise NotFound(f"Action {request_id} not found")
    return action


def _check_server(session: Session, context: RequestContext, server_id: str,
                  deleted_too: bool) -> None:
    server = session.get(Server, server_id)
    if server is not None:
        if context.owns(server.project_id):
            return
    elif deleted_too:
        owner = session.scalars(select(InstanceAction.project_id).where(
            InstanceAction.server_id == server_id).limit(1)).first()
        if owner is not None and context.owns(owner):
            return
    raise NotFound(f"Instance {server_id} could not be found.")

