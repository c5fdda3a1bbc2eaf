"""Neutron v2.0 at /network."""

from __future__ import annotations

from fastapi import FastAPI

from pocketstack.api.common import service_app
from pocketstack.api.network import (
    discovery,
    floating_ips,
    networks,
    ports,
    quotas,
    routers,
    security_group_rules,
    security_groups,
    subnets,
    tags,
)
from pocketstack.errors import CloudError

# Each module's ``router`` is served; add a resource by adding its module here.
ROUTERS = (discovery, networks, subnets, ports, routers, floating_ips, security_groups,
           security_group_rules, quotas, tags)


def render_error(error: CloudError) -> dict:
    return {"NeutronError": {"type": error.neutron_type, "message": error.message, "detail": ""}}


def create_app() -> FastAPI:
    app = service_app("network", render_error, openapi_url="/v2.0/openapi.json")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
