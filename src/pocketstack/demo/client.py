"""A small client of a cloud's public APIs for the demos: Keystone login with the ``OS_*``
variables (as the stock clients do), endpoints from the catalog, JSON calls that raise
``DemoError`` with the server's message, and polling with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import httpx

from pocketstack.cli import auth

T = TypeVar("T")
NOVA_VERSION = {"OpenStack-API-Version": "compute 2.37", "X-OpenStack-Nova-API-Version": "2.37"}
PATHS = {"compute": "", "network": "/v2.0", "image": "/v2", "load-balancer": "/v2",
         "autoscaling": ""}


class DemoError(Exception):
    """A step failed; the message says which and what to do next."""


class CloudClient:
    """Authenticated JSON calls to the services of the ``OS_*`` cloud."""

    def __init__(self, timeout: float = 30) -> None:
        self.http = httpx.Client(timeout=timeout)
        self.endpoints: dict[str, str] = {}
        self.project_id = ""

    def login(self) -> None:
        try:
            login = auth.log_in(self.http)
        except auth.AuthError as error:
            raise DemoError(str(error)) from None
        self.project_id = login.project_id
        self.http.headers["X-Auth-Token"] = login.token
        self.http.headers.update(NOVA_VERSION)
        self.endpoints = auth.endpoints(login.catalog)

    def url(self, service: str, path: str) -> str:
        if service not in self.endpoints:
            raise DemoError(f"The cloud's catalog has no {service} service; this demo needs "
                            "compute, network, image, load-balancer and autoscaling.")
        return self.endpoints[service] + PATHS[service] + path

    def call(self, method: str, service: str, path: str, body: dict | None = None,
             ok: tuple[int, ...] = (200, 201, 202, 204)) -> dict:
        try:
            response = self.http.request(method, self.url(service, path), json=body)
        except httpx.HTTPError as error:
            raise DemoError(f"{method} {service} {path}: the cloud did not answer: {error}") \
                from None
        if response.status_code not in ok:
            raise DemoError(f"{method} {service} {path} failed ({response.status_code}): "
                            f"{auth.error_message(response)}")
        return response.json() if response.content else {}

    def get(self, service: str, path: str, **kwargs) -> dict:
        return self.call("GET", service, path, **kwargs)

    def post(self, service: str, path: str, body: dict, **kwargs) -> dict:
        return self.call("POST", service, path, body, **kwargs)

    def put(self, service: str, path: str, body: dict, **kwargs) -> dict:
        return self.call("PUT", service, path, body, **kwargs)

    def delete(self, service: str, path: str) -> None:
        """Delete; something already gone counts as deleted."""
        self.call("DELETE", service, path, ok=(200, 202, 204, 404))

    def close(self) -> None:
        self.http.close()


def wait_for(check: Callable[[], T | None], timeout: float, what: str,
             interval: float = 0.5) -> T:
    """``check()``'s first truthy answer, polled every ``interval`` s for ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        if (answer := check()):
            return answer
        if time.monotonic() > deadline:
            raise DemoError(f"Timed out after {timeout:.0f} s waiting for {what}.")
        time.sleep(interval)
