"""The dashboard at /dashboard: static files (our own ES modules, one stylesheet, vendored
xterm.js) and the few endpoints a browser cannot get from the public APIs.

The browser talks to the same-origin OpenStack APIs with the user's token, so every page
shows exactly what the API lets that user's project see; nothing here bypasses them.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

from pocketstack.api.common import service_app
from pocketstack.api.identity import render_error  # Keystone's envelope: {"error": {...}}
from pocketstack.dashboard import client_files

STATIC = Path(__file__).parent / "static"

# Our code and the vendored files only; inline styles for xterm.js's generated <style>.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; frame-ancestors 'none'; "
                                "base-uri 'self'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class Static(StaticFiles):
    """Static files revalidated on every load (ETag), so an upgrade is seen at once."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers.update(SECURITY_HEADERS)
        return response


def index() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)


def create_app() -> FastAPI:
    app = service_app("dashboard", render_error, openapi_url=None)
    app.include_router(client_files.router)
    app.add_api_route("/", index, methods=["GET"], include_in_schema=False)
    app.mount("/static", Static(directory=STATIC), name="static")
    return app
