"""Interactive consoles: which types are served, and the one-time tokens that open them.

A console URL carries a random token; only its SHA-256 is stored (``console_tokens``),
with the server it opens and an expiry. Redeeming a token deletes it, so a URL opens
one console once, within ``TOKEN_TTL``, and only for its own server.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.compute import ConsoleToken, Server
from pocketstack.errors import BadRequest, Conflict, Unauthorized
from pocketstack.services.compute import server_states as states
from pocketstack.services.compute.servers import get_server
from pocketstack.services.context import RequestContext

TOKEN_TTL = timedelta(minutes=10)
# Nova's protocols and the console types each has.
PROTOCOL_TYPES = {"vnc": ("novnc", "xvpvnc"), "spice": ("spice-html5",),
                  "rdp": ("rdp-html5",), "serial": ("serial",), "mks": ("webmks",)}
# Every served type is the same terminal: a login shell over a websocket.
SERVED_TYPES = ("novnc", "serial")
NO_CONSOLE = ("The compute driver of this cloud has no interactive console; "
              "use 'openstack console log show' to read the console log.")
REFUSED = "The console token is invalid, used or expired; ask for a new console URL."


def check_type(protocol: str, console_type: str) -> None:
    """BadRequest unless ``protocol``/``console_type`` is a pair pocketstack serves."""
    if console_type not in PROTOCOL_TYPES.get(protocol, ()):
        raise BadRequest(f"Invalid console protocol {protocol!r} and type {console_type!r}: "
                         f"the protocols and their types are {PROTOCOL_TYPES}.")
    if console_type not in SERVED_TYPES:
        raise BadRequest(f"Unavailable console type {console_type}: this cloud serves "
                         f"{' and '.join(SERVED_TYPES)} (both a terminal).")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, context: RequestContext, server_id: str,
                driver_has_console: bool) -> str:
    """A fresh one-time token for the console of an ACTIVE server the caller may change."""
    context.require_writer()
    server = get_server(session, context, server_id)
    require_active(server)
    if not driver_has_console:
        raise Conflict(NO_CONSOLE)
    now = utcnow()
    session.execute(delete(ConsoleToken).where(ConsoleToken.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(ConsoleToken(digest=digest(token), server_id=server.id,
                             expires_at=now + TOKEN_TTL))
    return token


def require_active(server: Server) -> None:
    if server.vm_state != states.ACTIVE or server.task_state is not None:
        status = states.status_of(server.vm_state, server.task_state)
        task = f", task {server.task_state}" if server.task_state else ""
        raise Conflict(f"Instance {server.id} is not ready: it is {status}{task}.")


def redeem_token(session: Session, token: str) -> str:
    """The id of the server ``token`` opens; the token is spent. Unauthorized when the
    token is unknown, used or expired; Conflict when its server is no longer ACTIVE."""
    row = session.get(ConsoleToken, digest(token)) if token else None
    if row is None:
        raise Unauthorized(REFUSED)
    session.delete(row)
    server = session.get(Server, row.server_id)
    if row.expires_at <= utcnow() or server is None:
        raise Unauthorized(REFUSED)
    require_active(server)
    return server.id
