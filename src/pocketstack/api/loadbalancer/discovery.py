"""Version discovery and the provider list."""

from __future__ import annotations

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.errors import NotFound
from pocketstack.services.loadbalancer.common import PROVIDERS

versions_router = APIRouter()
router = APIRouter()

UPDATED = "2024-01-01T00:00:00Z"
CURRENT = "v2.27"


def _versions(cloud) -> list[dict]:
    link = [{"rel": "self", "href": cloud.settings.url("load-balancer/v2")}]
    return [{"id": "v2.0", "status": "SUPPORTED", "updated": UPDATED, "links": link},
            {"id": CURRENT, "status": "CURRENT", "updated": UPDATED, "links": link}]


@versions_router.get("/")
def versions(cloud: CloudDep) -> dict:
    return {"versions": _versions(cloud)}


@router.get("")
@router.get("/")
def version(cloud: CloudDep) -> dict:
    return {"version": _versions(cloud)[-1]}


@router.get("/lbaas/providers")
def list_providers(_who: Caller) -> dict:
    return {"providers": [{"name": name, "description": text}
                          for name, text in PROVIDERS.items()]}


@router.get("/lbaas/providers/{provider}/flavor_capabilities")
def flavor_capabilities(_who: Caller, provider: str) -> dict:
    if provider not in PROVIDERS:
        raise NotFound(f"Provider {provider} not found.")
    return {"flavor_capabilities": []}
