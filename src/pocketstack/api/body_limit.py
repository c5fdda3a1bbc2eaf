"""Request bodies beyond a limit get 413 before a handler sees them.

API documents are small; a body of many megabytes is a mistake or an attack. Routes that
stream data of their own (image uploads) are exempt and enforce their own caps. A NUL
character in the path, the query string or a JSON body gets 400 here too: no name or ID
needs one, and they end up in file paths and SQL text (PostgreSQL refuses NUL).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pocketstack.errors import BadRequest, PayloadTooLarge

MAX_BODY_BYTES = 1 << 20
# A JSON escape of NUL: ``\u0000`` after an even number of backslashes.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NO_NUL = "NUL characters are not allowed in request paths, query strings or bodies."


def too_large() -> PayloadTooLarge:
    return PayloadTooLarge(f"Request body is larger than the limit of {MAX_BODY_BYTES} bytes.")


class BodyLimit:
    def __init__(self, app: ASGIApp, *, respond: Callable, exempt: Callable[[Scope], bool],
                 limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.respond, self.exempt, self.limit = app, respond, exempt, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\0" in scope["path"] or b"%00" in scope.get("query_string", b""):
            await self.respond(BadRequest(NO_NUL))(scope, receive, send)
            return
        if self.exempt(scope):
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            await self.respond(too_large())(scope, receive, send)
            return
        body, more = bytearray(), True
        while more:  # at most ``limit`` bytes are ever held: bodies here are small
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                await self.respond(too_large())(scope, receive, send)
                return
        if JSON_NUL.search(body):  # names, IDs and values become paths and SQL text
            await self.respond(BadRequest(NO_NUL))(scope, receive, send)
            return
        await self.app(scope, _replay(bytes(body), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the buffered body once, then waits on the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
