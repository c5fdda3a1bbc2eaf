"""Image version discovery: Glance answers 300 with every v2 minor version it serves."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from pocketstack.api.common import APIRouter, CloudDep

router = APIRouter()

CURRENT_MINOR = 17


def _versions(cloud) -> list[dict]:
    href = cloud.settings.url("image/v2/")
    return [
        {"id": f"v2.{minor}", "status": "CURRENT" if minor == CURRENT_MINOR else "SUPPORTED",
         "links": [{"rel": "self", "href": href}]}
        for minor in range(CURRENT_MINOR, -1, -1)
    ]


@router.get("/")
@router.get("/v2")
@router.get("/v2/")
def versions(cloud: CloudDep) -> JSONResponse:
    return JSONResponse({"versions": _versions(cloud)}, status_code=300)


@router.get("/versions")
def versions_ok(cloud: CloudDep) -> dict:
    return {"versions": _versions(cloud)}
