"""Glance v2 at /image."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common import service_app
from pocketstack.api.image import data, discovery, images, imports, members, schemas
from pocketstack.errors import CloudError

# Each module's ``router`` is served; add a resource by adding its module here.
ROUTERS = (discovery, schemas, images, data, imports, members)


def render_error(error: CloudError) -> dict:
    """Glance's (webob's) JSON error body: ``code`` is the status line, e.g. "404 Not Found"."""
    return {"code": f"{error.status} {error.title}", "title": error.title,
            "message": error.message}


def uploads_image_data(scope: dict) -> bool:
    """``PUT /v2/images/{id}/file`` (and ``/stage``) streams image data under its own cap
    and quota."""
    path = scope["path"].rstrip("/")
    return scope["method"] == "PUT" and path.endswith(("/file", "/stage"))


def create_app() -> FastAPI:
    app = service_app("image", render_error, openapi_url="/v2/openapi.json",
                      streams_body=uploads_image_data)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
