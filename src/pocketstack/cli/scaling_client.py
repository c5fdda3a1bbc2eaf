"""What `pocketstack scaling` needs to talk to a cloud: OS_* login, endpoints, tables.

Logs in with the ``OS_*`` variables as the stock clients do (Keystone v3 password or
application credential), finds endpoints in the token's catalog, resolves names of
images, flavors and networks to IDs, and prints tables the way the openstack client does.
"""

from __future__ import annotations

import json
import re

import click
import httpx

from pocketstack.cli import auth

UUID = re.compile(r"^[0-9a-fA-F-]{32,36}$")


class ScalingError(click.ClickException):
    pass


class Cloud:
    """A logged-in HTTP session: ``get/post/put/delete(service_type, path, ...)``."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.http = httpx.Client(timeout=timeout, trust_env=False)
        try:
            login = auth.log_in(self.http)
        except auth.AuthError as error:
            raise ScalingError(str(error)) from None
        self.http.headers["X-Auth-Token"] = login.token
        self.endpoints = auth.endpoints(login.catalog)

    def endpoint(self, service_type: str) -> str:
        if service_type not in self.endpoints:
            raise ScalingError(f"The service catalog has no {service_type} endpoint; is this "
                               "a pocketstack cloud?")
        return self.endpoints[service_type]

    def call(self, method: str, service_type: str, path: str, expect=(200,), **kwargs):
        url = self.endpoint(service_type) + path
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise ScalingError(f"{method} {url} failed: {exc}") from None
        if response.status_code not in expect:
            raise ScalingError(f"{auth.error_message(response)} (HTTP {response.status_code})")
        return response.json() if response.content else None


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
