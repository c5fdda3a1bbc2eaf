"""Every response names its request, as OpenStack services do (``x-openstack-request-id``).

Clients log it and Tempest reads it on every call; compute also sends it as
``x-compute-request-id``.
"""

from __future__ import annotations

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestId:
    def __init__(self, app: ASGIApp, *, extra_header: bytes | None = None) -> None:
        self.app, self.extra_header = app, extra_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        value = f"req-{uuid.uuid4()}".encode()
        scope.setdefault("state", {})["request_id"] = value.decode()  # request.state.request_id
        headers = [(b"x-openstack-request-id", value)]
        if self.extra_header:
            headers.append((self.extra_header, value))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_id)
