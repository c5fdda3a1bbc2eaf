"""The one listener: a path per service, each a FastAPI app of its own."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from pocketstack.api import compute, identity, image, network
from pocketstack.services.runtime import Cloud

SERVICES = {
    "identity": identity.create_app,
    "compute": compute.create_app,
    "image": image.create_app,
    "network": network.create_app,
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


def create_app(cloud: Cloud) -> Starlette:
    mounts = []
    for name, factory in SERVICES.items():
        service = factory()
        service.state.cloud = cloud
        mounts.append(Mount(f"/{name}", app=service))
    app = Starlette(routes=[Route("/", root), *mounts])
    app.state.cloud = cloud
    return app
