"""Octavia v2 at /load-balancer (``/v2/lbaas/...``, also answered at ``/v2.0/lbaas/...``,
the path python-octaviaclient uses)."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common import service_app
from pocketstack.api.loadbalancer import (
    discovery,
    healthmonitors,
    listeners,
    loadbalancers,
    members,
    pools,
    quotas,
)
from pocketstack.errors import CloudError

# Each module's ``router`` is served under both version prefixes; discovery at the root.
ROUTERS = (loadbalancers, listeners, pools, members, healthmonitors, quotas, discovery)
PREFIXES = ("/v2", "/v2.0")


def render_error(error: CloudError) -> dict:
    return {"faultcode": "Server" if error.status >= 500 else "Client",
            "faultstring": error.message, "debuginfo": None}


def create_app() -> FastAPI:
    app = service_app("load-balancer", render_error, openapi_url="/v2/openapi.json")
    app.include_router(discovery.versions_router)
    for module in ROUTERS:
        for prefix in PREFIXES:
            app.include_router(module.router, prefix=prefix,
                               include_in_schema=prefix == PREFIXES[0])
    return app
