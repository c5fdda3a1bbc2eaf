"""Keystone v3 login for pocketstack's own clients (``console``, ``scaling``, the demos,
the benchmarks): the request the ``OS_*`` variables describe, read as the stock clients
read them (password or application credential), and endpoints from the token's catalog.

Every function takes the variables as a mapping (default: this process's environment),
so a caller can log in as another account without touching ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

Env = Mapping[str, str]


class AuthError(Exception):
    """The login failed; the message says what to do next."""


@dataclass(frozen=True)
class Login:
    token: str
    project_id: str
    catalog: list


def _or_environ(env: Env | None) -> Env:
    return os.environ if env is None else env


def _get(env: Env, *names: str) -> str | None:
    return next((env[name] for name in names if env.get(name)), None)


def auth_url(env: Env | None = None) -> str:
    """``OS_AUTH_URL`` ending in ``/v3``."""
    url = (_get(_or_environ(env), "OS_AUTH_URL") or "").rstrip("/")
    if not url:
        raise AuthError("OS_AUTH_URL is not set: `source openrc.demo` from the data dir "
                        "(or set the OS_* variables) and try again.")
    return url if url.endswith("/v3") else url + "/v3"


def auth_body(env: Env | None = None) -> dict:
    """The Keystone v3 request the OS_* variables describe."""
    env = _or_environ(env)
    if (credential := _get(env, "OS_APPLICATION_CREDENTIAL_ID")):
        return {"auth": {"identity": {"methods": ["application_credential"],
                "application_credential": {
                    "id": credential, "secret": _get(env, "OS_APPLICATION_CREDENTIAL_SECRET")}}}}
    user, password = _get(env, "OS_USERNAME", "OS_USER_ID"), _get(env, "OS_PASSWORD")
    if not user or not password:
        raise AuthError("Set OS_AUTH_URL, OS_USERNAME, OS_PASSWORD and OS_PROJECT_NAME "
                        "(e.g. `source openrc.demo` from the data dir) and try again.")
    user_key = "id" if _get(env, "OS_USER_ID") and not _get(env, "OS_USERNAME") else "name"
    user_entry = {user_key: user, "password": password,
                  "domain": _domain(env, "OS_USER_DOMAIN_ID", "OS_USER_DOMAIN_NAME")}
    project = _get(env, "OS_PROJECT_ID", "OS_TENANT_ID")
    scope = {"id": project} if project else {
        "name": _get(env, "OS_PROJECT_NAME", "OS_TENANT_NAME"),
        "domain": _domain(env, "OS_PROJECT_DOMAIN_ID", "OS_PROJECT_DOMAIN_NAME")}
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": user_entry}},
                     "scope": {"project": scope}}}


def _domain(env: Env, id_name: str, name_name: str) -> dict:
    if (domain_id := _get(env, id_name, "OS_DEFAULT_DOMAIN_ID")):
        return {"id": domain_id}
    return {"name": _get(env, name_name, "OS_DEFAULT_DOMAIN_NAME") or "Default"}


def log_in(http: httpx.Client, env: Env | None = None) -> Login:
    """A token for the OS_* credentials, with its project and catalog."""
    url = auth_url(env)
    try:
        response = http.post(f"{url}/auth/tokens", json=auth_body(env))
    except httpx.HTTPError as error:
        raise AuthError(f"The cloud did not answer at {url}: {error}. Is it running "
                        "(`pocketstack status`)?") from None
    if response.status_code != 201:
        raise AuthError(f"Authentication at {url} failed ({response.status_code}): "
                        f"{error_message(response)} Check the OS_* variables.")
    token = response.json()["token"]
    return Login(response.headers["X-Subject-Token"], token.get("project", {}).get("id", ""),
                 token.get("catalog", []))


def endpoints(catalog: list, env: Env | None = None) -> dict[str, str]:
    """``{service type: URL}`` of the catalog's endpoints for ``OS_INTERFACE`` (default
    public) in ``OS_REGION_NAME`` (any region when unset)."""
    env = _or_environ(env)
    region, interface = _get(env, "OS_REGION_NAME"), _get(env, "OS_INTERFACE") or "public"
    found: dict[str, str] = {}
    for service in catalog:
        for endpoint in service.get("endpoints", []):
            if endpoint.get("interface") == interface and (
                    not region or endpoint.get("region_id", endpoint.get("region")) == region):
                found.setdefault(service.get("type"), endpoint["url"].rstrip("/"))
    return found


def error_message(response: httpx.Response) -> str:
    """The message of an OpenStack error body (any service's envelope), else its text."""
    try:
        body = response.json()
        error = next(iter(body.values())) if isinstance(body, dict) else body
        if isinstance(error, dict):
            return str(error.get("message") or error.get("faultstring") or body)
        return str(body)
    except (ValueError, StopIteration):
        return response.text.strip()[:300]
