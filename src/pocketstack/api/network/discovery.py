"""Version discovery, the resource list, extensions and availability zones."""

from __future__ import annotations

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.errors import NotFound

router = APIRouter()

UPDATED = "2024-01-01T00:00:00-00:00"

RESOURCES = {
    "network": "networks", "subnet": "subnets", "port": "ports", "router": "routers",
    "floatingip": "floatingips", "security_group": "security-groups",
    "security_group_rule": "security-group-rules", "quota": "quotas",
    "extension": "extensions", "availability_zone": "availability_zones",
}

# Exactly what this service implements: alias → (name, description).
EXTENSIONS = {
    "router": ("Neutron L3 Router", "Routers with interfaces and an external gateway."),
    "ext-gw-mode": ("Neutron L3 Configurable external gateway mode",
                    "enable_snat in a router's external_gateway_info."),
    "external-net": ("Neutron external network", "The router:external network attribute."),
    "security-group": ("security-group", "Security groups and their rules."),
    "port-security": ("Port Security", "port_security_enabled on networks and ports."),
    "allowed-address-pairs": ("Allowed Address Pairs",
                              "Extra addresses a port may send from."),
    "binding": ("Port Binding", "binding:host_id, binding:vnic_type and friends on ports."),
    "quotas": ("Quota management support", "Per-project quotas."),
    "quota_details": ("Quota details management support", "Quota usage: used and limit."),
    "network-mtu": ("Network MTU", "The mtu network attribute."),
    "availability_zone": ("Availability Zone", "The availability zones resource."),
    "network_availability_zone": ("Network Availability Zone",
                                  "availability_zones on networks."),
    "router_availability_zone": ("Router Availability Zone", "availability_zones on routers."),
    "project-id": ("project_id field enabled", "project_id beside tenant_id."),
    "standard-attr-description": ("standard-attr-description", "description on resources."),
    "standard-attr-timestamp": ("Resource timestamps", "created_at and updated_at."),
    "standard-attr-revisions": ("Resource revision numbers", "revision_number on resources."),
    "standard-attr-tag": ("Tag support for resources with standard attribute",
                          "The tags API on networks, subnets, ports, routers and more."),
    "sorting": ("Sorting support", "sort_key and sort_dir on list calls."),
    "pagination": ("Pagination support", "marker and limit on list calls."),
    "fields": ("Fields selection", "fields= on list and show calls."),
}


def _extension(alias: str) -> dict:
    name, description = EXTENSIONS[alias]
    return {"alias": alias, "name": name, "description": description, "updated": UPDATED,
            "links": []}


@router.get("/")
def versions(cloud: CloudDep) -> dict:
    return {"versions": [{"id": "v2.0", "status": "CURRENT", "links": [
        {"rel": "self", "href": cloud.settings.url("network/v2.0/")}]}]}


@router.get("/v2.0")
@router.get("/v2.0/")
def resources(cloud: CloudDep) -> dict:
    return {"resources": [
        {"name": name, "collection": collection, "links": [
            {"rel": "self", "href": cloud.settings.url(f"network/v2.0/{collection}")}]}
        for name, collection in RESOURCES.items()]}


@router.get("/v2.0/extensions")
def list_extensions(_who: Caller) -> dict:
    return {"extensions": [_extension(alias) for alias in EXTENSIONS]}


@router.get("/v2.0/extensions/{alias}")
def show_extension(_who: Caller, alias: str) -> dict:
    if alias not in EXTENSIONS:
        raise NotFound(f"Extension with alias {alias} does not exist",
                       neutron_type="ExtensionNotFound")
    return {"extension": _extension(alias)}


@router.get("/v2.0/availability_zones")
def availability_zones(_who: Caller) -> dict:
    return {"availability_zones": [
        {"name": "nova", "resource": resource, "state": "available"}
        for resource in ("network", "router")]}
