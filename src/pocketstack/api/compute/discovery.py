"""Compute version discovery, answered with and without a token."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from pocketstack.api.common import APIRouter, CloudDep
from pocketstack.api.compute.microversion import MAX, MIN

router = APIRouter()


def _version(cloud) -> dict:
    return {
        "id": "v2.1",
        "status": "CURRENT",
        "version": str(MAX),
        "min_version": str(MIN),
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": cloud.settings.url("compute/v2.1/")}],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}
        ],
    }


@router.get("/")
def versions(cloud: CloudDep) -> JSONResponse:
    return JSONResponse({"versions": [_version(cloud)]}, status_code=200)


@router.get("/v2.1")
@router.get("/v2.1/")
def version(cloud: CloudDep) -> dict:
    return {"version": _version(cloud)}
