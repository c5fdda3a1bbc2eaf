"""A small client of a cloud's public APIs for the demos: Keystone login with the ``OS_*``
variables (as the stock clients do), endpoints from the catalog, JSON calls that raise
``DemoError`` with the server's message, and polling with a deadline."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

import httpx

from pocketstack.cli.console import auth_body

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
        auth_url = (os.environ.get("OS_AUTH_URL") or "").rstrip("/")
        if not auth_url:
            raise DemoError("OS_AUTH_URL is not set: `source openrc.demo` from the data dir "
                            "(or set the OS_* variables) and try again.")
        auth_url = auth_url if auth_url.endswith("/v3") else auth_url + "/v3"
        try:
            response = self.http.post(f"{auth_url}/auth/tokens", json=auth_body())
        except httpx.HTTPError as error:
            raise DemoError(f"The cloud did not answer at {auth_url}: {error}") from None
        if response.status_code != 201:
            raise DemoError(f"Authentication at {auth_url} failed ({response.status_code}); "
                            "check the OS_* variables.")
        token = response.json()["token"]
        self.project_id = token["project"]["id"]
        self.http.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        self.http.headers.update(NOVA_VERSION)
        self.endpoints = catalog_endpoints(token.get("catalog", []))

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
                            f"{message(response)}")
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


def catalog_endpoints(catalog: list) -> dict[str, str]:
    region = os.environ.get("OS_REGION_NAME")
    interface = os.environ.get("OS_INTERFACE") or "public"
    found = {}
    for service in catalog:
        for endpoint in service.get("endpoints", []):
            if endpoint.get("interface") == interface and (
                    not region or endpoint.get("region_id", endpoint.get("region")) == region):
                found[service["type"]] = endpoint["url"].rstrip("/")
    return found


def message(response: httpx.Response) -> str:
    try:
        body = response.json()
        error = next(iter(body.values())) if isinstance(body, dict) else body
        if isinstance(error, dict):
            return str(error.get("message") or error.get("faultstring") or body)
        return str(body)
    except (ValueError, StopIteration):
        return response.text.strip()[:300]


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
