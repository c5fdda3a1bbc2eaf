"""A bounded HTTP load: ``concurrency`` clients, each on its own keep-alive connection,
for ``duration`` seconds, each asking GET ``path`` then waiting ``think`` seconds. Records
how many requests failed (no answer or a 5xx) and when each server (the ``X-Served-By``
header) answered first, so "a new server serves" can be timed."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx


@dataclass
class LoadResult:
    requests: int = 0
    failed: int = 0
    first_seen: dict[str, float] = field(default_factory=dict)  # server -> s after start
    errors: dict[str, int] = field(default_factory=dict)  # a sample of what failed

    def record(self, served_by: str | None, offset: float, error: str | None) -> None:
        self.requests += 1
        if error:
            self.failed += 1
            self.errors[error] = self.errors.get(error, 0) + 1
        elif served_by:
            self.first_seen.setdefault(served_by, offset)


def check_local(url: str) -> None:
    """Refuse any target but loopback and private (namespace, bridge) addresses."""
    host = urlsplit(url).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"load target {host!r} is not an IP address") from None
    if not (address.is_loopback or address.is_private):
        raise ValueError(f"load target {address} is not a loopback or private address")


@dataclass
class Load:
    url: str
    concurrency: int = 40
    duration: float = 40.0
    think: float = 0.2
    timeout: float = 5.0
    result: LoadResult = field(default_factory=LoadResult)

    def __post_init__(self) -> None:
        check_local(self.url)
        self.started = 0.0
        self._tls = ssl.create_default_context()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Run in a background thread; ``join()`` waits for the end."""
        self.started = time.monotonic()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self.thread.start()

    def join(self) -> LoadResult:
        if self.thread is not None:
            self.thread.join()
        return self.result

    async def _run(self) -> None:
        deadline = self.started + self.duration
        await asyncio.gather(*(self._client(deadline) for _ in range(self.concurrency)))

    async def _client(self, deadline: float) -> None:
        # one TLS context for all: building one per client (httpx's default) takes ~50 ms,
        # which would spread the load step over seconds
        async with httpx.AsyncClient(timeout=self.timeout, verify=self._tls) as client:
            while time.monotonic() < deadline:
                served_by, error = await self._request(client)
                self.result.record(served_by, time.monotonic() - self.started, error)
                await asyncio.sleep(self.think)

    async def _request(self, client: httpx.AsyncClient) -> tuple[str | None, str | None]:
        try:
            response = await client.get(self.url)
        except httpx.HTTPError as error:
            return None, type(error).__name__
        if response.status_code >= 500:
            return None, f"HTTP {response.status_code}"
        return response.headers.get("x-served-by"), None
