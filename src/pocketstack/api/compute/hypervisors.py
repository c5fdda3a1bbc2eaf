"""/os-hypervisors (admin): this host as the one hypervisor, with its capacity and use."""

from __future__ import annotations

import json

from fastapi import Request

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services import listing
from pocketstack.services.compute import hosts

router = APIRouter(prefix="/v2.1/os-hypervisors", tags=["hypervisors"])


def hypervisor_id(host: hosts.Host, version: Version) -> str | int:
    return host.uuid_of("hypervisor") if version.at_least("2.53") else 1


def brief(host: hosts.Host, version: Version) -> dict:
    return {"id": hypervisor_id(host, version), "hypervisor_hostname": host.name,
            "state": "up", "status": "enabled"}


def detail(host: hosts.Host, used: dict, version: Version) -> dict:
    cpu_info = {"arch": "x86_64", "topology": {"cores": host.vcpus, "sockets": 1, "threads": 1}}
    service_id = host.uuid_of("nova-compute") if version.at_least("2.53") else 3
    return {
        **brief(host, version),
        "hypervisor_type": host.hypervisor_type, "hypervisor_version": 1000,
        "host_ip": host.ip,
        "service": {"id": service_id, "host": host.name, "disabled_reason": None},
        "vcpus": host.vcpus, "memory_mb": host.memory_mb, "local_gb": host.disk_gb,
        "vcpus_used": used["cores"], "memory_mb_used": used["ram"],
        "local_gb_used": host.disk_gb - host.disk_free_gb,
        "free_ram_mb": host.memory_mb - used["ram"], "free_disk_gb": host.disk_free_gb,
        "current_workload": 0, "running_vms": used["instances"],
        "disk_available_least": host.disk_free_gb,
        "cpu_info": cpu_info if version.at_least("2.28") else json.dumps(cpu_info),
    }


def _listed(request: Request, host: hosts.Host, version: Version) -> list[hosts.Host]:
    """The hypervisors a list call shows: this one, unless a filter or the marker skips it."""
    params = request.query_params
    pattern = params.get("hypervisor_hostname_pattern")
    if pattern is not None and pattern not in host.name:
        return []
    if version.at_least("2.33"):
        marker = params.get("marker")
        if marker is not None and marker != str(hypervisor_id(host, version)):
            raise BadRequest(f"marker [{marker}] not found")
        if marker is not None or listing.parse_limit(params.get("limit")) == 0:
            return []
    return [host]


@router.get("")
def list_hypervisors(request: Request, cloud: CloudDep, who: Caller, version: Microversion):
    who.require_admin()
    host = hosts.this_host(cloud.settings)
    return {"hypervisors": [brief(h, version) for h in _listed(request, host, version)]}


@router.get("/detail")
def list_hypervisors_detail(request: Request, cloud: CloudDep, who: Caller,
                            version: Microversion):
    who.require_admin()
    host = hosts.this_host(cloud.settings)
    with cloud.db.session() as session:
        used = hosts.total_usage(session)
    return {"hypervisors": [detail(h, used, version)
                            for h in _listed(request, host, version)]}


@router.get("/statistics")
def hypervisor_statistics(cloud: CloudDep, who: Caller):
    who.require_admin()
    host = hosts.this_host(cloud.settings)
    with cloud.db.session() as session:
        used = hosts.total_usage(session)
    shown = detail(host, used, Version(2, 1))
    fields = ("vcpus", "memory_mb", "local_gb", "vcpus_used", "memory_mb_used",
              "local_gb_used", "free_ram_mb", "free_disk_gb", "current_workload",
              "running_vms", "disk_available_least")
    return {"hypervisor_statistics": {"count": 1, **{name: shown[name] for name in fields}}}


@router.get("/{hypervisor}")
def show_hypervisor(hypervisor: str, cloud: CloudDep, who: Caller, version: Microversion):
    who.require_admin()
    host = hosts.this_host(cloud.settings)
    if hypervisor != str(hypervisor_id(host, version)):
        raise NotFound(f"Hypervisor with ID {hypervisor} could not be found.")
    with cloud.db.session() as session:
        return {"hypervisor": detail(host, hosts.total_usage(session), version)}


@router.get("/{hypervisor}/uptime")
def hypervisor_uptime(hypervisor: str, cloud: CloudDep, who: Caller, version: Microversion):
    who.require_admin()
    host = hosts.this_host(cloud.settings)
    if hypervisor != str(hypervisor_id(host, version)):
        raise NotFound(f"Hypervisor with ID {hypervisor} could not be found.")
    return {"hypervisor": {**brief(host, version), "uptime": hosts.uptime_line()}}
