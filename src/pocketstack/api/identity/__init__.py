"""Keystone v3 at /identity."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common import service_app
from pocketstack.api.identity import (
    app_credentials,
    assignments,
    auth,
    catalog,
    discovery,
    domains,
    projects,
    roles,
    users,
)
from pocketstack.errors import CloudError

# Each module's ``router`` is served; add a resource by adding its module here.
ROUTERS = (discovery, auth, domains, projects, users, roles, assignments, app_credentials,
           catalog)


def render_error(error: CloudError) -> dict:
    return {"error": {"code": error.status, "message": error.message, "title": error.title}}


def create_app() -> FastAPI:
    app = service_app("identity", render_error, openapi_url="/v3/openapi.json")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
