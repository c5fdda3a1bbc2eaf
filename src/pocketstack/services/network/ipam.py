"""Addresses: subnet ranges, allocation pools, fixed IPs and MACs derived from them."""

from __future__ import annotations

import ipaddress
import itertools
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import IpAllocation, Port, Subnet
from pocketstack.errors import BadRequest, Conflict

MAC_PREFIX = "fa:16:3e"


def parse_ip(value: str, what: str = "IP address"):
    try:
        return ipaddress.ip_address(value)
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid input: '{value}' is not a valid {what}.") from None


def parse_cidr(value: str, *, strict: bool = True):
    try:
        return ipaddress.ip_network(value, strict=strict)
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid input: '{value}' is not a valid IP subnet.") from None


def host_range(cidr: str) -> tuple:
    """First and last usable host of ``cidr`` (IPv4 leaves out network and broadcast)."""
    net = ipaddress.ip_network(cidr)
    if net.version == 4 and net.prefixlen < 31:
        return net.network_address + 1, net.broadcast_address - 1
    return net.network_address + 1, net.broadcast_address


def default_pools(cidr: str, gateway_ip: str | None) -> list[dict]:
    """The whole host range of ``cidr`` minus the gateway, as Neutron pools."""
    first, last = host_range(cidr)
    if gateway_ip is None:
        return [{"start": str(first), "end": str(last)}]
    gateway = ipaddress.ip_address(gateway_ip)
    pools = []
    if first < gateway:
        pools.append({"start": str(first), "end": str(gateway - 1)})
    if gateway < last:
        pools.append({"start": str(gateway + 1), "end": str(last)})
    return pools


def check_pools(cidr: str, pools: list[dict], gateway_ip: str | None) -> list[dict]:
    """Validated pools: inside ``cidr``, ordered, disjoint, clear of the gateway."""
    net = ipaddress.ip_network(cidr)
    ranges = []
    for pool in pools:
        start, end = parse_ip(pool.get("start")), parse_ip(pool.get("end"))
        if start not in net or end not in net or start > end:
            raise BadRequest(f"The allocation pool {start}-{end} spans beyond the subnet "
                             f"cidr {cidr}.", neutron_type="OutOfBoundsAllocationPool")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in itertools.pairwise(ranges):
        if start <= end:
            raise BadRequest("Found overlapping allocation pools.",
                             neutron_type="OverlappingAllocationPools")
    if gateway_ip:
        gateway = ipaddress.ip_address(gateway_ip)
        if any(start <= gateway <= end for start, end in ranges):
            raise Conflict(f"Gateway ip {gateway_ip} conflicts with allocation pool.",
                           neutron_type="GatewayConflictWithAllocationPools")
    return [{"start": str(start), "end": str(end)} for start, end in ranges]


def mac_for(ip_address: str | None) -> str:
    """``fa:16:3e`` and the last three bytes of the address, so a reused IP keeps its MAC."""
    if ip_address is None:
        tail = secrets.token_bytes(3)
    else:
        tail = ipaddress.ip_address(ip_address).packed[-3:]
    return ":".join([MAC_PREFIX, *(f"{byte:02x}" for byte in tail)])


def used_addresses(session: Session, subnet_id: str) -> set[str]:
    return set(session.scalars(select(IpAllocation.ip_address)
                               .where(IpAllocation.subnet_id == subnet_id)))


def _next_free(subnet: Subnet, used: set[str]) -> str:
    for pool in subnet.allocation_pools:
        address = ipaddress.ip_address(pool["start"])
        end = ipaddress.ip_address(pool["end"])
        while address <= end:
            if str(address) not in used:
                return str(address)
            address += 1
    raise Conflict(f"No more IP addresses available on network {subnet.network_id}.",
                   neutron_type="IpAddressGenerationFailure")


def allocate(session: Session, port: Port, subnet: Subnet, ip_address: str | None,
             *, may_take_gateway: bool = False) -> IpAllocation:
    """Give ``port`` ``ip_address`` (or the next free one of the pools) in ``subnet``."""
    used = used_addresses(session, subnet.id)
    if ip_address is None:
        ip_address = _next_free(subnet, used)
    else:
        address = parse_ip(ip_address)
        first, last = host_range(subnet.cidr)
        if address.version != subnet.ip_version or not first <= address <= last:
            raise BadRequest(f"IP address {ip_address} is not a valid IP for the specified "
                             f"subnet.", neutron_type="InvalidIpForSubnet")
        ip_address = str(address)
        taken = ip_address in used or (ip_address == subnet.gateway_ip and not may_take_gateway)
        if taken:
            raise Conflict(f"IP address {ip_address} already allocated in subnet {subnet.id}",
                           neutron_type="IpAddressAlreadyAllocated")
    allocation = IpAllocation(port_id=port.id, subnet_id=subnet.id, ip_address=ip_address,
                              network_id=subnet.network_id)
    session.add(allocation)
    session.flush()
    return allocation


def subnet_for_address(subnets: list[Subnet], ip_address: str) -> Subnet:
    address = parse_ip(ip_address)
    for subnet in subnets:
        if address.version == subnet.ip_version and address in ipaddress.ip_network(subnet.cidr):
            return subnet
    raise BadRequest(f"IP address {ip_address} is not a valid IP for any of the subnets on "
                     f"the specified network.", neutron_type="InvalidIpForNetwork")


def prefix_length(cidr: str) -> int:
    return ipaddress.ip_network(cidr).prefixlen
