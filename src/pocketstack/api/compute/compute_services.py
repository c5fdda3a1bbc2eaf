"""/os-services (admin): the scheduler, conductor and compute service of this host."""

from __future__ import annotations

from datetime import UTC, datetime

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.microversion import Microversion
from pocketstack.services.compute import hosts

router = APIRouter(prefix="/v2.1/os-services", tags=["services"])


@router.get("")
def list_services(cloud: CloudDep, who: Caller, version: Microversion,
                  binary: str | None = None, host: str | None = None):
    who.require_admin()
    here = hosts.this_host(cloud.settings)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    found = []
    for name, zone, number in hosts.SERVICES:
        if (binary and binary != name) or (host and host != here.name):
            continue
        service = {"id": here.uuid_of(name) if version.at_least("2.53") else number,
                   "binary": name, "host": here.name, "zone": zone, "status": "enabled",
                   "state": "up", "updated_at": now, "disabled_reason": None}
        if version.at_least("2.11"):
            service["forced_down"] = False
        found.append(service)
    return {"services": found}
