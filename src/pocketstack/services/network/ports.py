"""Ports: fixed IPs from the subnets' pools, MACs derived from them, security groups."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import new_id
from pocketstack.db.models.network import FloatingIp, IpAllocation, Network, Port, Subnet
from pocketstack.errors import BadRequest, Conflict
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common, ipam, security_groups
from pocketstack.services.network.subnets import subnets_of

ROUTER_OWNERS = ("network:router_interface", "network:router_gateway")
SERVICE_OWNERS = ("Octavia",)  # load balancer VIPs (services/loadbalancer/vip.py)
# What a service's port keeps while the service holds it (only an admin may change it).
SERVICE_HELD = ("fixed_ips", "mac_address", "device_id", "device_owner")


def list_ports(session: Session, context: RequestContext) -> list[Port]:
    query = select(Port).order_by(Port.created_at, Port.id)
    return list(session.scalars(common.scope(query, Port, context)))


def fixed_ips(session: Session, port_ids: list[str]) -> dict[str, list[IpAllocation]]:
    found: dict[str, list[IpAllocation]] = {pid: [] for pid in port_ids}
    query = (select(IpAllocation).join(Subnet, Subnet.id == IpAllocation.subnet_id)
             .where(IpAllocation.port_id.in_(port_ids))
             .order_by(Subnet.ip_version, Subnet.created_at, IpAllocation.ip_address))
    for allocation in session.scalars(query):
        found[allocation.port_id].append(allocation)
    return found


def _requests(subnets: list[Subnet], wanted: list[dict] | None) -> list[tuple[Subnet, str | None]]:
    """(subnet, address or None) for each requested fixed IP; None → one automatic IPv4."""
    if wanted is None:
        ordered = sorted(subnets, key=lambda s: s.ip_version)
        return [(ordered[0], None)] if ordered else []
    found = []
    by_id = {subnet.id: subnet for subnet in subnets}
    for item in wanted:
        subnet_id, address = item.get("subnet_id"), item.get("ip_address")
        if subnet_id:
            if subnet_id not in by_id:
                raise BadRequest(f"Invalid input for operation: Failed to create port on "
                                 f"network, because fixed_ips included invalid subnet "
                                 f"{subnet_id}.", neutron_type="InvalidInput")
            found.append((by_id[subnet_id], address))
        elif address:
            found.append((ipam.subnet_for_address(subnets, address), address))
        else:
            raise BadRequest("Invalid input for fixed_ips: each needs subnet_id or ip_address.")
    return found


def _assign(session: Session, port: Port, wanted: list[dict] | None, *, keep=()) -> None:
    """Allocate the requested fixed IPs, keeping ``keep`` allocations that match a request."""
    kept = {(a.subnet_id, a.ip_address): a for a in keep}
    for subnet, address in _requests(subnets_of(session, port.network_id), wanted):
        match = next((key for key in kept if key[0] == subnet.id and address in (None, key[1])),
                     None)
        if match:
            del kept[match]
            continue
        ipam.allocate(session, port, subnet, address,
                      may_take_gateway=port.device_owner in ROUTER_OWNERS)
    for allocation in kept.values():
        session.delete(allocation)
    session.flush()


def _choose_mac(session: Session, port: Port, asked: str | None) -> str:
    taken = set(session.scalars(select(Port.mac_address).where(
        Port.network_id == port.network_id, Port.id != port.id)))
    if asked:
        if asked.lower() in taken:
            raise Conflict(f"Unable to complete operation for network {port.network_id}. "
                           f"The mac address {asked} is in use.", neutron_type="MacAddressInUse")
        return asked.lower()
    allocations = fixed_ips(session, [port.id])[port.id]
    mac = ipam.mac_for(allocations[0].ip_address if allocations else None)
    while mac in taken:
        mac = ipam.mac_for(None)
    return mac


def make_port(session: Session, network: Network, project_id: str, fields: dict) -> Port:
    """A new port on ``network`` (no policy checks: callers did them)."""
    wanted_ips = fields.pop("fixed_ips", None)
    asked_mac = fields.pop("mac_address", None)
    groups = fields.pop("security_groups", None)
    fields.setdefault("port_security_enabled", network.port_security_enabled)
    port = Port(id=new_id(), project_id=project_id, network_id=network.id, mac_address="",
                status="DOWN", **fields)
    session.add(port)
    session.flush()
    _assign(session, port, wanted_ips)
    port.mac_address = _choose_mac(session, port, asked_mac)
    if port.device_owner.startswith("network:"):
        return port
    if groups is None and not port.port_security_enabled:
        groups = []
    security_groups.set_port_groups(
        session, port, security_groups.resolve(session, _owner(project_id), project_id, groups))
    return port


def _owner(project_id: str) -> RequestContext:
    return RequestContext(user_id="", user_name="", domain_id="", project_id=project_id,
                          project_name=None)


def create_port(session: Session, context: RequestContext, fields: dict) -> Port:
    network = common.visible(session, context, Network, fields.pop("network_id"))
    project_id = common.owner_of_new(context, fields)
    common.check_quota(session, project_id, "port")
    if fields.get("security_groups"):
        fields["security_groups"] = [g.id for g in security_groups.resolve(
            session, context, project_id, fields["security_groups"])]
    return make_port(session, network, project_id, fields)


def update_port(session: Session, context: RequestContext, port_id: str, changes: dict) -> Port:
    port = common.owned(session, context, Port, port_id)
    held = [name for name in SERVICE_HELD if name in changes]
    if held and port.device_owner in SERVICE_OWNERS and not context.is_admin:
        raise Conflict(f"Port {port_id} is owned by service {port.device_owner} (device "
                       f"{port.device_id}): its {', '.join(held)} cannot be changed; change "
                       f"or delete the load balancer instead.", neutron_type="PortInUse")
    if "fixed_ips" in changes:
        wanted = changes.pop("fixed_ips")
        _assign(session, port, wanted, keep=fixed_ips(session, [port.id])[port.id])
        port.revision_number += 1
        _disassociate_stale(session, port)
    groups = changes.pop("security_groups", None)
    if "mac_address" in changes:
        changes["mac_address"] = _choose_mac(session, port, changes["mac_address"])
    disabling = changes.get("port_security_enabled") is False and groups is None
    if disabling and security_groups.groups_of_port(session, port.id):
        raise Conflict(f"Port {port_id} has security groups; remove them before disabling "
                       f"port security.", neutron_type="PortSecurityPortHasSecurityGroup")
    common.revise(port, changes)
    if groups is not None:
        chosen = security_groups.resolve(session, context, port.project_id, groups)
        security_groups.set_port_groups(session, port, chosen)
        port.revision_number += 1
    common.touch(port)
    return port


def _disassociate_stale(session: Session, port: Port) -> None:
    addresses = {a.ip_address for a in fixed_ips(session, [port.id])[port.id]}
    for fip in session.scalars(select(FloatingIp).where(FloatingIp.port_id == port.id)):
        if fip.fixed_ip_address not in addresses:
            disassociate(fip)


def disassociate(fip: FloatingIp) -> None:
    fip.port_id = fip.fixed_ip_address = fip.router_id = None
    fip.revision_number += 1
    common.touch(fip)


def delete_port(session: Session, context: RequestContext, port_id: str) -> None:
    port = common.owned(session, context, Port, port_id)
    if port.device_owner in ROUTER_OWNERS + SERVICE_OWNERS and not context.is_admin:
        raise Conflict(f"Port {port_id} cannot be deleted directly via the port API: has "
                       f"device owner {port.device_owner}.", neutron_type="ServicePortInUse")
    remove_port(session, port)


def remove_port(session: Session, port: Port) -> None:
    """Forget a port: floating IPs let go of it; the agent unplugs it before the row goes."""
    for fip in session.scalars(select(FloatingIp).where(FloatingIp.port_id == port.id)):
        disassociate(fip)
    groups = security_groups.groups_of_port(session, port.id)
    if port.device_owner.startswith("network:"):
        session.delete(port)
    else:
        port.deleting = True
        port.status = "DELETING"
        common.touch(port)
    security_groups.resync_members(session, groups)
