"""Neutron's JSON shapes, rendered a page at a time (one query per related kind)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import isotime
from pocketstack.db.models.network import PortSecurityGroup, Subnet
from pocketstack.services.network import ports as port_service
from pocketstack.services.network import routers as router_service
from pocketstack.services.network import security_groups as group_service

ZONES = ["nova"]


def standard(row) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "tags": list(row.tags or []),
        "created_at": isotime(row.created_at),
        "updated_at": isotime(row.updated_at),
        "revision_number": row.revision_number,
        "project_id": row.project_id,
        "tenant_id": row.project_id,
    }


def networks(session: Session, rows: list) -> list[dict]:
    subnet_ids: dict[str, list[str]] = {row.id: [] for row in rows}
    query = (select(Subnet.network_id, Subnet.id).where(Subnet.network_id.in_(list(subnet_ids)))
             .order_by(Subnet.created_at, Subnet.id))
    for network_id, subnet_id in session.execute(query):
        subnet_ids[network_id].append(subnet_id)
    return [{
        **standard(row),
        "admin_state_up": row.admin_state_up,
        "status": row.status,
        "subnets": subnet_ids[row.id],
        "shared": row.shared,
        "router:external": row.external,
        "mtu": row.mtu,
        "port_security_enabled": row.port_security_enabled,
        "availability_zone_hints": [],
        "availability_zones": ZONES,
        "ipv4_address_scope": None,
        "ipv6_address_scope": None,
        "is_default": False,
    } for row in rows]


def subnets(_session: Session, rows: list) -> list[dict]:
    return [{
        **standard(row),
        "network_id": row.network_id,
        "ip_version": row.ip_version,
        "cidr": row.cidr,
        "gateway_ip": row.gateway_ip,
        "allocation_pools": list(row.allocation_pools),
        "dns_nameservers": list(row.dns_nameservers),
        "host_routes": list(row.host_routes),
        "enable_dhcp": row.enable_dhcp,
        "ipv6_ra_mode": None,
        "ipv6_address_mode": None,
        "subnetpool_id": None,
        "service_types": [],
    } for row in rows]


def _port_groups(session: Session, port_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {pid: [] for pid in port_ids}
    query = select(PortSecurityGroup).where(PortSecurityGroup.port_id.in_(port_ids))
    for link in session.scalars(query):
        found[link.port_id].append(link.security_group_id)
    return found


def ports(session: Session, rows: list) -> list[dict]:
    ids = [row.id for row in rows]
    addresses = port_service.fixed_ips(session, ids)
    groups = _port_groups(session, ids)
    return [{
        **standard(row),
        "network_id": row.network_id,
        "mac_address": row.mac_address,
        "admin_state_up": row.admin_state_up,
        "status": row.status,
        "device_id": row.device_id,
        "device_owner": row.device_owner,
        "fixed_ips": [{"subnet_id": a.subnet_id, "ip_address": a.ip_address}
                      for a in addresses[row.id]],
        "security_groups": sorted(groups[row.id]),
        "port_security_enabled": row.port_security_enabled,
        "allowed_address_pairs": list(row.allowed_address_pairs),
        "binding:vnic_type": row.vnic_type,
        "binding:host_id": row.binding_host_id,
        "binding:vif_type": "bridge" if row.binding_host_id else "unbound",
        "binding:vif_details": {},
        "binding:profile": {},
    } for row in rows]


def _gateway_info(session: Session, row) -> dict | None:
    if row.gateway_network_id is None:
        return None
    gateway_ports = router_service.router_ports(session, row.id, router_service.GATEWAY)
    addresses = port_service.fixed_ips(session, [p.id for p in gateway_ports])
    return {
        "network_id": row.gateway_network_id,
        "enable_snat": row.enable_snat,
        "external_fixed_ips": [{"subnet_id": a.subnet_id, "ip_address": a.ip_address}
                               for port in gateway_ports for a in addresses[port.id]],
    }


def routers(session: Session, rows: list) -> list[dict]:
    return [{
        **standard(row),
        "admin_state_up": row.admin_state_up,
        "status": row.status,
        "external_gateway_info": _gateway_info(session, row),
        "routes": [],
        "distributed": False,
        "ha": False,
        "flavor_id": None,
        "availability_zone_hints": [],
        "availability_zones": ZONES,
    } for row in rows]


def floating_ips(_session: Session, rows: list) -> list[dict]:
    return [{
        **{k: v for k, v in standard(row).items() if k != "name"},
        "floating_ip_address": row.floating_ip_address,
        "floating_network_id": row.floating_network_id,
        "router_id": row.router_id,
        "port_id": row.port_id,
        "fixed_ip_address": row.fixed_ip_address,
        "status": row.status,
        "qos_policy_id": None,
        "port_forwardings": [],
    } for row in rows]


def rules(rows: list) -> list[dict]:
    return [{
        "id": row.id,
        "security_group_id": row.security_group_id,
        "direction": row.direction,
        "ethertype": row.ethertype,
        "protocol": row.protocol,
        "port_range_min": row.port_range_min,
        "port_range_max": row.port_range_max,
        "remote_ip_prefix": row.remote_ip_prefix,
        "remote_group_id": row.remote_group_id,
        "remote_address_group_id": None,
        "normalized_cidr": row.remote_ip_prefix,
        "description": row.description,
        "project_id": row.project_id,
        "tenant_id": row.project_id,
        "created_at": isotime(row.created_at),
        "updated_at": isotime(row.updated_at),
        "revision_number": row.revision_number,
        "tags": [],
    } for row in rows]


def security_groups(session: Session, rows: list) -> list[dict]:
    by_group = group_service.rules_of(session, [row.id for row in rows])
    return [{
        **standard(row),
        "stateful": row.stateful,
        "shared": False,
        "security_group_rules": rules(by_group[row.id]),
    } for row in rows]
