"""Nova v2.1 at /compute."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common import service_app
from pocketstack.errors import CloudError


def render_error(error: CloudError) -> dict:
    return {error.compute_key: {"code": error.status, "message": error.message}}


def create_app() -> FastAPI:
    app = service_app("compute", render_error, openapi_url="/v2.1/openapi.json")
    return app
