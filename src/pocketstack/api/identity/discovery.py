"""Version discovery, the first thing keystoneauth reads."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from pocketstack.api.common import APIRouter, CloudDep

router = APIRouter()

UPDATED = "2024-01-01T00:00:00Z"


def _version(cloud) -> dict:
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": UPDATED,
        "links": [{"rel": "self", "href": cloud.settings.url("identity/v3/")}],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
        ],
    }


@router.get("/")
async def versions(cloud: CloudDep) -> JSONResponse:
    return JSONResponse({"versions": {"values": [_version(cloud)]}}, status_code=300)


@router.get("/v3")
@router.get("/v3/")
async def version(cloud: CloudDep) -> dict:
    return {"version": _version(cloud)}
