"""Version discovery: one API version, v1, at /autoscaling/v1."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from pocketstack.api.common import APIRouter, CloudDep

router = APIRouter()


def _version(cloud) -> dict:
    return {"id": "v1.0", "status": "CURRENT",
            "links": [{"rel": "self", "href": cloud.settings.url("autoscaling/v1/")}]}


@router.get("/")
def versions(cloud: CloudDep) -> JSONResponse:
    return JSONResponse({"versions": [_version(cloud)]}, status_code=300)


@router.get("/v1")
@router.get("/v1/")
def version(cloud: CloudDep) -> dict:
    return {"version": _version(cloud)}
