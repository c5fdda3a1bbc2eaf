"""Glance v2 at /image."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common import service_app
from pocketstack.errors import CloudError


def render_error(error: CloudError) -> dict:
    return {"code": error.status, "title": error.title, "message": error.message}


def create_app() -> FastAPI:
    app = service_app("image", render_error, openapi_url="/v2/openapi.json")
    return app
