"""An in-process cloud's API as one of its accounts: a ``TestClient`` that sends a token
got with ``pocketstack.cli.auth`` (the login pocketstack's own clients make)."""

from __future__ import annotations

from starlette.testclient import TestClient

from pocketstack.cli import auth
from pocketstack.wiring import Deployment


def logged_in(deployment: Deployment, user: str = "demo", project: str | None = None,
              password: str | None = None, headers: dict[str, str] | None = None) -> TestClient:
    """A client of ``deployment``'s API with ``user``'s token scoped to ``project``
    (default: the project named like the user), sending ``headers`` too."""
    client = TestClient(deployment.app, raise_server_exceptions=False)
    login = auth.log_in(client, {
        "OS_AUTH_URL": f"{client.base_url}/identity/v3", "OS_USERNAME": user,
        "OS_PASSWORD": password or deployment.accounts[user].password,
        "OS_PROJECT_NAME": project or user, "OS_USER_DOMAIN_ID": "default",
        "OS_PROJECT_DOMAIN_ID": "default"})
    client.headers["X-Auth-Token"] = login.token
    client.headers.update(headers or {})
    return client
