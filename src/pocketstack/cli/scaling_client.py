"""What `pocketstack scaling` needs to talk to a cloud: OS_* login, endpoints, tables.

Logs in with the ``OS_*`` variables as the stock clients do (Keystone v3 password or
application credential), finds endpoints in the token's catalog, resolves names of
images, flavors and networks to IDs, and prints tables the way the openstack client does.
"""

from __future__ import annotations

import json
import os
import re

import click
import httpx

from pocketstack.cli.console import auth_body

UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")


class ScalingError(click.ClickException):
    pass


class Cloud:
    """A logged-in HTTP session: ``get/post/put/delete(service_type, path, ...)``."""

    def __init__(self, timeout: float = 30.0) -> None:
        auth_url = (os.environ.get("OS_AUTH_URL") or "").rstrip("/")
        if not auth_url:
            raise ScalingError("OS_AUTH_URL is not set: `source openrc.demo` from the data dir "
                               "(or set the OS_* variables) and try again.")
        auth_url = auth_url if auth_url.endswith("/v3") else auth_url + "/v3"
        self.http = httpx.Client(timeout=timeout, trust_env=False)
        try:
            response = self.http.post(f"{auth_url}/auth/tokens", json=auth_body())
        except httpx.HTTPError as exc:
            raise ScalingError(f"Cannot reach {auth_url}: {exc}. Is the cloud running?") \
                from None
        except click.ClickException as exc:
            raise ScalingError(exc.message) from None
        if response.status_code != 201:
            raise ScalingError(f"Authentication at {auth_url} failed ({response.status_code}): "
                               f"{message_of(response)} Check the OS_* variables.")
        self.http.headers["X-Auth-Token"] = response.headers["X-Subject-Token"]
        self.catalog = response.json()["token"].get("catalog", [])

    def endpoint(self, service_type: str) -> str:
        region = os.environ.get("OS_REGION_NAME")
        interface = os.environ.get("OS_INTERFACE") or "public"
        for service in self.catalog:
            if service.get("type") != service_type:
                continue
            for endpoint in service.get("endpoints", []):
                if endpoint.get("interface") == interface and (
                        not region or endpoint.get("region_id", endpoint.get("region")) == region):
                    return endpoint["url"].rstrip("/")
        raise ScalingError(f"The service catalog has no {service_type} endpoint; is this a "
                           "pocketstack cloud?")

    def call(self, method: str, service_type: str, path: str, expect=(200,), **kwargs):
        url = self.endpoint(service_type) + path
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise ScalingError(f"{method} {url} failed: {exc}") from None
        if response.status_code not in expect:
            raise ScalingError(f"{message_of(response)} (HTTP {response.status_code})")
        return response.json() if response.content else None


def message_of(response: httpx.Response) -> str:
    try:
        body = response.json()
        error = next(iter(body.values())) if isinstance(body, dict) else {}
        return str(error.get("message") or body) if isinstance(error, dict) else str(body)
    except (ValueError, StopIteration, AttributeError):
        return response.text.strip()[:200]


def resolve(cloud: Cloud, kind: str, value: str) -> str:
    """An image, flavor or network ID from its ID or exact name."""
    if kind != "flavor" and UUID.match(value):
        return value
    if kind == "image":
        found = cloud.call("GET", "image", "/v2/images", params={"name": value})["images"]
    elif kind == "network":
        found = cloud.call("GET", "network", "/v2.0/networks", params={"name": value})["networks"]
    else:
        found = cloud.call("GET", "compute", "/flavors/detail", params={"is_public": "None"})
        found = [f for f in found["flavors"] if value in (f["id"], f["name"])]
    found = [item for item in found if value in (item["id"], item.get("name"))]
    if len(found) != 1:
        raise ScalingError(f"{'No' if not found else 'More than one'} {kind} named {value!r}; "
                           "use its ID.")
    return found[0]["id"]


def show_table(rows: list[list], headers: list[str]) -> None:
    """A table with borders, as the openstack client prints one."""
    cells = [[_text(value) for value in row] for row in rows]
    widths = [max(len(part) for text in [h, *[c[i] for c in cells]] for part in text.split("\n"))
              for i, h in enumerate(headers)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    click.echo(rule)
    click.echo("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    click.echo(rule)
    for row in cells:
        lines = [cell.split("\n") for cell in row]
        for index in range(max(len(parts) for parts in lines)):
            click.echo("| " + " | ".join((parts[index] if index < len(parts) else "").ljust(w)
                                         for parts, w in zip(lines, widths, strict=True)) + " |")
    click.echo(rule)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)
