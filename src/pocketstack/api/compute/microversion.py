"""Nova microversions: read the requested version, answer with the one used."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIN_VERSION = (2, 1)
MAX_VERSION = (2, 79)
_PATTERN = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    def at_least(self, text: str) -> bool:
        return (self.major, self.minor) >= _parse(text)


@functools.cache
def _parse(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


MIN = Version(*MIN_VERSION)
MAX = Version(*MAX_VERSION)


class VersionError(Exception):
    def __init__(self, status: int, key: str, message: str) -> None:
        super().__init__(message)
        self.status, self.key, self.message = status, key, message


def requested(headers) -> str | None:
    entries = (entry for value in headers.getlist("openstack-api-version")
               for entry in value.split(","))
    for entry in entries:
        service, _, version = entry.strip().partition(" ")
        if service.lower() == "compute":
            return version.strip()
    return headers.get("x-openstack-nova-api-version")


def negotiate(text: str | None) -> Version:
    if text is None or text.strip() == "":
        return MIN
    text = text.strip()
    if text.lower() == "latest":
        return MAX
    match = _PATTERN.match(text)
    if not match:
        raise VersionError(400, "badRequest", f"Invalid API version request string {text}.")
    version = Version(int(match.group(1)), int(match.group(2)))
    if not MIN <= version <= MAX:
        raise VersionError(
            406, "notAcceptable",
            f"Version {text} is not supported by the API. Minimum is {MIN} and maximum is {MAX}.",
        )
    return version


class MicroversionMiddleware:
    """Negotiates the version of each HTTP request and names it in the response headers.

    Plain ASGI (not BaseHTTPMiddleware): it sits on every compute call, so it stays cheap.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            version = negotiate(requested(Headers(scope=scope)))
        except VersionError as exc:
            response = JSONResponse({exc.key: {"code": exc.status, "message": exc.message}},
                                    status_code=exc.status)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["microversion"] = version
        extra = [
            (b"openstack-api-version", f"compute {version}".encode()),
            (b"x-openstack-nova-api-version", str(version).encode()),
            (b"vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version"),
        ]

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_version)


async def microversion(request: Request) -> Version:  # async: no thread pool hop
    return getattr(request.state, "microversion", MIN)


Microversion = Annotated[Version, Depends(microversion)]
