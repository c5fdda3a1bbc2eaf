"""Interactive consoles: console URLs (``remote-consoles``, ``os-get*Console``) and the
websocket they point at.

``ws://<host:port>/compute/console?token=<one-time token>`` bridges a login shell on a
pseudo-terminal inside the instance. Frames:
  * binary, both ways: the terminal's bytes (what is typed; what the shell prints);
  * text, client to server: a JSON control message, ``{"resize": {"rows": R, "cols": C}}``
    (other text frames are ignored).
The subprotocol ``binary`` is accepted when offered (browser terminals ask for it).
Close codes: 1000 when the shell ended, 1008 when the token is refused or the server is
not ACTIVE (the reason says why), 1011 when the console could not be opened. Closing the
websocket ends the shell and everything it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Annotated

from fastapi import Body, WebSocket
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.microversion import Microversion
from pocketstack.drivers.compute.base import ConsoleSession
from pocketstack.errors import BadRequest, CloudError, NotFound
from pocketstack.services.compute import consoles
from pocketstack.services.context import RequestContext
from pocketstack.services.runtime import Cloud

router = APIRouter()

LEGACY_PROTOCOLS = {"os-getVNCConsole": "vnc", "os-getSPICEConsole": "spice",
                    "os-getRDPConsole": "rdp", "os-getSerialConsole": "serial"}
MAX_ROWS_COLS = 1000


def console_url(cloud: Cloud, context: RequestContext, server_id: str, protocol: str,
                console_type: str) -> str:
    consoles.check_type(protocol, console_type)
    has_console = cloud.compute_capabilities.interactive_console
    with cloud.db.session() as session:
        token = consoles.issue_token(session, context, server_id, has_console)
    base = cloud.settings.url("compute/console")
    return "ws" + base.removeprefix("http") + f"?token={token}"


def legacy_handler(action: str) -> Callable[..., Response]:
    """The handler of ``os-getVNCConsole`` and friends (before 2.6), which answer
    ``{"console": {"type", "url"}}``."""
    def legacy_console(cloud, context, version, server_id, value) -> Response:
        if version.at_least("2.6"):
            raise NotFound("The console actions moved to POST /servers/{id}/remote-consoles "
                           "from microversion 2.6.")
        console_type = value.get("type") if isinstance(value, dict) else None
        if not isinstance(console_type, str):
            raise BadRequest(f"Invalid input for field/attribute {action}: 'type' is "
                             "required.")
        url = console_url(cloud, context, server_id, LEGACY_PROTOCOLS[action], console_type)
        return JSONResponse({"console": {"type": console_type, "url": url}})

    return legacy_console


@router.post("/v2.1/servers/{server_id}/remote-consoles")
def create_remote_console(cloud: CloudDep, context: Caller, version: Microversion,
                          server_id: str, body: Annotated[dict, Body()]) -> dict:
    if not version.at_least("2.6"):
        raise NotFound("Remote consoles are available from microversion 2.6.")
    console = body.get("remote_console")
    if len(body) != 1 or not isinstance(console, dict) or set(console) != {"protocol", "type"}:
        raise BadRequest("Invalid input for field/attribute remote_console. 'protocol' and "
                         "'type' are required properties (and the only ones).")
    protocol, console_type = console["protocol"], console["type"]
    if not isinstance(protocol, str) or not isinstance(console_type, str):
        raise BadRequest("Invalid input for field/attribute remote_console: 'protocol' and "
                         "'type' are strings.")
    url = console_url(cloud, context, server_id, protocol, console_type)
    return {"remote_console": {"protocol": protocol, "type": console_type, "url": url}}


@router.websocket("/console")
async def console_socket(websocket: WebSocket) -> None:
    cloud: Cloud = websocket.app.state.cloud
    offered = websocket.scope.get("subprotocols") or []
    await websocket.accept(subprotocol="binary" if "binary" in offered else None)
    try:
        server_id = await run_in_threadpool(_redeem, cloud, websocket.query_params.get("token"))
        session = await run_in_threadpool(cloud.compute_driver.open_console, server_id)
    except CloudError as error:
        await websocket.close(code=1011 if error.status >= 500 else 1008,
                              reason=error.message[:120])
        return
    try:
        await _bridge(websocket, session)
    finally:  # submitted at once and shielded: a cancelled connection still ends its shell
        await asyncio.shield(asyncio.get_running_loop().run_in_executor(None, session.close))
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
            await websocket.close(code=1000, reason="The console's shell ended.")


def _redeem(cloud: Cloud, token: str | None) -> str:
    with cloud.db.session() as session:
        return consoles.redeem_token(session, token or "")


async def _bridge(websocket: WebSocket, session: ConsoleSession) -> None:
    """Copy bytes both ways until the shell ends or the client goes."""
    tasks = [asyncio.create_task(_shell_to_client(websocket, session)),
             asyncio.create_task(_client_to_shell(websocket, session))]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _readable(fd: int) -> None:
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
    try:
        await ready
    finally:
        loop.remove_reader(fd)


async def _shell_to_client(websocket: WebSocket, session: ConsoleSession) -> None:
    while True:
        await _readable(session.fileno())
        data = session.read()
        if data == b"":
            return
        if data:
            await websocket.send_bytes(data)


async def _client_to_shell(websocket: WebSocket, session: ConsoleSession) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes"):
            await run_in_threadpool(session.write, message["bytes"])
        elif message.get("text") and (size := parse_resize(message["text"])):
            session.resize(*size)


def parse_resize(text: str) -> tuple[int, int] | None:
    """(rows, cols) of a ``{"resize": {"rows", "cols"}}`` control message, else None."""
    try:
        size = json.loads(text)["resize"]
        rows, cols = size["rows"], size["cols"]
    except (ValueError, TypeError, KeyError):
        return None
    valid = all(type(n) is int and 0 < n <= MAX_ROWS_COLS for n in (rows, cols))
    return (rows, cols) if valid else None
