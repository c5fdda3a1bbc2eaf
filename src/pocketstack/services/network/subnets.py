"""Subnets: CIDR checks, the gateway, allocation pools; deletion only when no port uses one."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import IpAllocation, Network, Port, Subnet
from pocketstack.errors import BadRequest, Conflict, Forbidden
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common, ipam

UNSET = object()


def list_subnets(session: Session, context: RequestContext) -> list[Subnet]:
    query = select(Subnet).order_by(Subnet.created_at, Subnet.id)
    return list(session.scalars(common.scope(query, Subnet, context)))


def subnets_of(session: Session, network_id: str) -> list[Subnet]:
    query = select(Subnet).where(Subnet.network_id == network_id)
    return list(session.scalars(query.order_by(Subnet.created_at, Subnet.id)))


def _cidr(fields: dict) -> str:
    if not fields.get("cidr"):
        raise BadRequest("Bad subnet request: a cidr must be specified in the absence of a "
                         "subnet pool.")
    net = ipam.parse_cidr(fields["cidr"], strict=False)
    if str(net) != fields["cidr"] and net.with_prefixlen != fields["cidr"]:
        raise BadRequest(f"Invalid input for cidr. Reason: '{fields['cidr']}' isn't a "
                         f"recommended CIDR, use {net} instead.")
    version = fields.get("ip_version") or net.version
    if version != net.version:
        raise BadRequest(f"Cidr {net} does not match ip_version {version}.")
    if net.num_addresses < 4:
        raise BadRequest(f"Invalid CIDR {net} for IP version {net.version}.")
    return str(net)


def _gateway(cidr: str, gateway_ip) -> str | None:
    if gateway_ip is None:
        return None
    first, _last = ipam.host_range(cidr)
    if gateway_ip is UNSET:
        return str(first)
    address = ipam.parse_ip(gateway_ip, "gateway IP")
    if address not in ipaddress.ip_network(cidr) or address in (
            ipaddress.ip_network(cidr).network_address,
            ipaddress.ip_network(cidr).broadcast_address) and address.version == 4:
        raise BadRequest(f"Invalid input for operation: Gateway IP {gateway_ip} is not a "
                         f"host address of subnet {cidr}.", neutron_type="InvalidInput")
    return str(address)


def _check_overlap(session: Session, network_id: str, cidr: str) -> None:
    wanted = ipaddress.ip_network(cidr)
    for other in subnets_of(session, network_id):
        existing = ipaddress.ip_network(other.cidr)
        if existing.version == wanted.version and existing.overlaps(wanted):
            raise BadRequest(f"Invalid input for operation: Requested subnet with cidr: "
                             f"{cidr} for network: {network_id} overlaps with another subnet.",
                             neutron_type="InvalidInput")


def _check_nameservers(values: list[str]) -> list[str]:
    for value in values:
        ipam.parse_ip(value, "nameserver")
    if len(set(values)) != len(values):
        raise BadRequest("Duplicate nameserver in dns_nameservers.")
    return values


def _check_routes(cidr_version: int, routes: list[dict]) -> list[dict]:
    checked = []
    for route in routes:
        destination = ipam.parse_cidr(route.get("destination"), strict=False)
        nexthop = ipam.parse_ip(route.get("nexthop"), "nexthop")
        if destination.version != cidr_version or nexthop.version != cidr_version:
            raise BadRequest("Invalid host route: its IP version differs from the subnet's.")
        checked.append({"destination": str(destination), "nexthop": str(nexthop)})
    return checked


def create_subnet(session: Session, context: RequestContext, fields: dict) -> Subnet:
    network = common.visible(session, context, Network, fields.pop("network_id"))
    project_id = common.owner_of_new(context, fields)
    if network.project_id != project_id and not context.is_admin:
        raise Forbidden("Policy does not allow creating a subnet on another project's network.")
    cidr = _cidr(fields)
    _check_overlap(session, network.id, cidr)
    common.check_quota(session, project_id, "subnet")
    gateway = _gateway(cidr, fields.pop("gateway_ip", UNSET))
    pools = fields.pop("allocation_pools", None)
    subnet = Subnet(
        project_id=project_id, network_id=network.id, cidr=cidr,
        ip_version=ipaddress.ip_network(cidr).version, gateway_ip=gateway,
        allocation_pools=(ipam.check_pools(cidr, pools, gateway) if pools
                          else ipam.default_pools(cidr, gateway)),
        dns_nameservers=_check_nameservers(fields.pop("dns_nameservers", None) or []),
        host_routes=_check_routes(ipaddress.ip_network(cidr).version,
                                  fields.pop("host_routes", None) or []),
        **{k: v for k, v in fields.items() if k not in ("cidr", "ip_version")},
    )
    session.add(subnet)
    common.touch(network)
    session.flush()
    return subnet


def update_subnet(session: Session, context: RequestContext, subnet_id: str,
                  changes: dict) -> Subnet:
    subnet = common.owned(session, context, Subnet, subnet_id)
    if "gateway_ip" in changes:
        changes["gateway_ip"] = _gateway(subnet.cidr, changes["gateway_ip"])
        if changes["gateway_ip"]:
            ipam.check_pools(subnet.cidr, changes.get("allocation_pools",
                                                       subnet.allocation_pools),
                             changes["gateway_ip"])
    if changes.get("allocation_pools") is not None:
        changes["allocation_pools"] = ipam.check_pools(
            subnet.cidr, changes["allocation_pools"], changes.get("gateway_ip", subnet.gateway_ip))
    if "dns_nameservers" in changes:
        changes["dns_nameservers"] = _check_nameservers(changes["dns_nameservers"] or [])
    if "host_routes" in changes:
        changes["host_routes"] = _check_routes(subnet.ip_version, changes["host_routes"] or [])
    common.revise(subnet, changes)
    return subnet


def delete_subnet(session: Session, context: RequestContext, subnet_id: str) -> None:
    """Refuse while a live port holds one of its addresses (router interfaces included)."""
    subnet = common.owned(session, context, Subnet, subnet_id)
    holders = select(IpAllocation.port_id).where(IpAllocation.subnet_id == subnet_id)
    live = select(Port.id).where(Port.id.in_(holders), Port.deleting.is_(False),
                                 Port.device_owner.not_in(("network:dhcp",)))
    if session.scalar(live.limit(1)):
        raise Conflict(f"Unable to complete operation on subnet {subnet_id}: One or more "
                       f"ports have an IP allocation from this subnet.",
                       neutron_type="SubnetInUse")
    network = session.get(Network, subnet.network_id)
    session.delete(subnet)
    common.touch(network)
