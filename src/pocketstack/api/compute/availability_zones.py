"""/os-availability-zone: the one zone servers go to; in detail (admin) with its hosts."""

from __future__ import annotations

from datetime import UTC, datetime

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.services.compute import hosts

router = APIRouter(prefix="/v2.1/os-availability-zone", tags=["availability zones"])


def _service_state(updated_at: str) -> dict:
    return {"available": True, "active": True, "updated_at": updated_at}


@router.get("")
def list_zones(_who: Caller):
    zone = {"zoneName": hosts.DEFAULT_ZONE, "zoneState": {"available": True}, "hosts": None}
    return {"availabilityZoneInfo": [zone]}


@router.get("/detail")
def list_zones_detail(cloud: CloudDep, who: Caller):
    who.require_admin()
    host = hosts.this_host(cloud.settings).name
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    zones: dict[str, dict] = {}
    for binary, zone, _ in hosts.SERVICES:
        zones.setdefault(zone, {}).setdefault(host, {})[binary] = _service_state(now)
    return {"availabilityZoneInfo": [
        {"zoneName": name, "zoneState": {"available": True}, "hosts": members}
        for name, members in sorted(zones.items())
    ]}
