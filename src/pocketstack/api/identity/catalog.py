"""Read-only views of the fixed catalog: /v3/services, /v3/endpoints, /v3/regions."""

from __future__ import annotations

from fastapi import Request

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.identity.views import catalog_entry_view, collection
from pocketstack.errors import Forbidden, NotFound
from pocketstack.services.identity import catalog
from pocketstack.services.identity.policy import require_admin

router = APIRouter(prefix="/v3")

# collection -> (member key, entries, the policy action to list it; None: any user)
KINDS = {
    "services": ("service", catalog.services, "list_services"),
    "endpoints": ("endpoint", catalog.endpoints, "list_endpoints"),
    "regions": ("region", catalog.regions, None),
}


def _entries(cloud, who, kind: str) -> list[dict]:
    _member, build, action = KINDS[kind]
    if action:
        require_admin(who, action)
    return [catalog_entry_view(entry, kind, cloud.settings) for entry in build(cloud.settings)]


def _one(cloud, who, kind: str, entry_id: str) -> dict:
    member = KINDS[kind][0]
    for entry in _entries(cloud, who, kind):
        if entry["id"] == entry_id:
            return {member: entry}
    raise NotFound(f"Could not find {member}: {entry_id}.")


def _matches(entry: dict, filters: dict) -> bool:
    return all(value is None or entry.get(key) == value for key, value in filters.items())


@router.get("/services")
def list_services(request: Request, cloud: CloudDep, who: Caller, type: str | None = None,
                  name: str | None = None):
    found = [e for e in _entries(cloud, who, "services") if _matches(e, {"type": type,
                                                                         "name": name})]
    return collection("services", found, str(request.url))


@router.get("/services/{service_id}")
def show_service(service_id: str, cloud: CloudDep, who: Caller):
    return _one(cloud, who, "services", service_id)


@router.get("/endpoints")
def list_endpoints(request: Request, cloud: CloudDep, who: Caller,
                   service_id: str | None = None, interface: str | None = None,
                   region_id: str | None = None):
    filters = {"service_id": service_id, "interface": interface, "region_id": region_id}
    found = [e for e in _entries(cloud, who, "endpoints") if _matches(e, filters)]
    return collection("endpoints", found, str(request.url))


@router.get("/endpoints/{endpoint_id}")
def show_endpoint(endpoint_id: str, cloud: CloudDep, who: Caller):
    return _one(cloud, who, "endpoints", endpoint_id)


@router.get("/regions")
def list_regions(request: Request, cloud: CloudDep, who: Caller,
                 parent_region_id: str | None = None):
    found = [e for e in _entries(cloud, who, "regions")
             if _matches(e, {"parent_region_id": parent_region_id})]
    return collection("regions", found, str(request.url))


@router.get("/regions/{region_id}")
def show_region(region_id: str, cloud: CloudDep, who: Caller):
    return _one(cloud, who, "regions", region_id)


def refuse_change(who: Caller):
    """Any write to the catalog: 403 with the reason."""
    del who
    raise Forbidden(catalog.FIXED)


for _kind in KINDS:
    router.add_api_route(f"/{_kind}", refuse_change, methods=["POST"], include_in_schema=False)
    router.add_api_route(f"/{_kind}/{{entry_id}}", refuse_change,
                         methods=["PUT", "PATCH", "DELETE"], include_in_schema=False)
