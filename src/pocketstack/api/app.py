"""The one listener: a path per service, each a FastAPI app of its own."""

from __future__ import annotations

import re

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from pocketstack import dashboard
from pocketstack.api import autoscaling, compute, identity, image, loadbalancer, network
from pocketstack.services.runtime import Cloud

SERVICES = {
    "identity": identity.create_app,
    "compute": compute.create_app,
    "image": image.create_app,
    "network": network.create_app,
    "load-balancer": loadbalancer.create_app,
    "autoscaling": autoscaling.create_app,
    "dashboard": dashboard.create_app,
}


async def root(request: Request) -> JSONResponse:
    cloud: Cloud = request.app.state.cloud
    return JSONResponse(
        {
            "name": "pocketstack",
            "services": {name: cloud.settings.url(name) for name in SERVICES},
            "auth_url": cloud.settings.url("identity/v3"),
        }
    )


def _mount(path: str, service) -> Mount:
    """A mount that matches any character after its path: an ID holding ``%0A`` still
    reaches its service (and gets that service's JSON 404), not a plain-text one."""
    mount = Mount(path, app=service)
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    return mount


def create_app(cloud: Cloud) -> Starlette:
    mounts = []
    for name, factory in SERVICES.items():
        service = factory()
        service.state.cloud = cloud
        mounts.append(_mount(f"/{name}", service))
    app = Starlette(routes=[Route("/", root), *mounts])
    app.state.cloud = cloud
    return app
