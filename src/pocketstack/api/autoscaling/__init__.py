"""The autoscaling API at /autoscaling (v1): groups, resize and events."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.autoscaling import discovery, events, groups
from pocketstack.api.common import service_app
from pocketstack.errors import CloudError

# Each module's ``router`` is served; add a resource by adding its module here.
ROUTERS = (discovery, groups, events)


def render_error(error: CloudError) -> dict:
    """The Keystone/Heat envelope: ``{"error": {"code", "title", "message"}}``."""
    return {"error": {"code": error.status, "title": error.title, "message": error.message}}


def create_app() -> FastAPI:
    app = service_app("autoscaling", render_error, openapi_url="/v1/openapi.json")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
