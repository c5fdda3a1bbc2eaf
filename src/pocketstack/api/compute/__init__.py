"""Nova v2.1 at /compute."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common import service_app
from pocketstack.api.compute import (
    aggregates,
    availability_zones,
    compute_services,
    console,
    discovery,
    extensions,
    flavor_extras,
    flavors,
    hypervisors,
    images,
    instance_actions,
    keypairs,
    limits,
    quota_classes,
    quota_sets,
    server_actions,
    server_groups,
    server_metadata,
    servers,
)
from pocketstack.api.compute.microversion import MicroversionMiddleware
from pocketstack.errors import CloudError

# Each module's ``router`` is served; add a resource by adding its module here.
ROUTERS = (
    discovery, flavors, flavor_extras, keypairs, limits, quota_sets, availability_zones,
    hypervisors, compute_services, extensions, aggregates, servers, server_actions,
    server_metadata, console, server_groups, instance_actions,
    images, quota_classes,
)


def render_error(error: CloudError) -> dict:
    return {error.compute_key: {"code": error.status, "message": error.message}}


def create_app() -> FastAPI:
    app = service_app("compute", render_error, openapi_url="/v2.1/openapi.json",
                      request_id_header=b"x-compute-request-id")
    app.add_middleware(MicroversionMiddleware)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
