"""What compute asks of the network service when it builds and removes servers.

Compute never reads network tables itself; it calls these (the network service owns
them). Every function runs inside the caller's transaction (``session``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import (
    FloatingIp,
    IpAllocation,
    Network,
    Port,
    PortSecurityGroup,
    SecurityGroup,
    Subnet,
)
from pocketstack.drivers.compute.base import NicSpec
from pocketstack.errors import BadRequest, Conflict, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common, ipam, ports, security_groups


@dataclass(frozen=True)
class NicRequest:
    """One NIC a new server asked for, already validated."""

    network_id: str
    port_id: str | None = None  # an existing port to bind, else a new one is made
    fixed_ip: str | None = None
    security_group_ids: tuple[str, ...] = field(default=())


COMPUTE_OWNER = "compute:nova"


def _usable_networks(session: Session, context: RequestContext) -> list[Network]:
    query = common.scope(select(Network), Network, context).where(Network.external.is_(False))
    if context.is_admin:
        query = query.where((Network.project_id == context.project_id) | Network.shared.is_(True))
    return list(session.scalars(query.order_by(Network.created_at, Network.id)))


def _network(session: Session, context: RequestContext, network_id: str) -> Network:
    try:
        return common.visible(session, context, Network, network_id)
    except NotFound:
        raise BadRequest(f"Network {network_id} could not be found.") from None


def _nic(session: Session, context: RequestContext, item: dict, groups: tuple[str, ...]):
    if not isinstance(item, dict):
        raise BadRequest("Bad networks format: each network must be an object.")
    if item.get("port"):
        try:
            port = common.owned(session, context, Port, item["port"])
        except NotFound:
            raise BadRequest(f"Port {item['port']} could not be found.") from None
        if port.device_id:
            raise Conflict(f"Port {port.id} is still in use.")
        return NicRequest(network_id=port.network_id, port_id=port.id)
    if not item.get("uuid"):
        raise BadRequest("Bad networks format: a network needs a uuid or a port.")
    network = _network(session, context, item["uuid"])
    if item.get("fixed_ip"):
        ipam.parse_ip(item["fixed_ip"], "fixed IP")
    return NicRequest(network_id=network.id, fixed_ip=item.get("fixed_ip"),
                      security_group_ids=groups)


def plan_server_nics(
    session: Session,
    context: RequestContext,
    networks: list[dict] | str | None,
    security_groups: list[str] | None,
    count: int = 1,
) -> list[NicRequest]:
    """Validate a server's requested NICs before anything is written.

    ``networks`` is Nova's ``networks`` value: a list of ``{"uuid"|"port"|"fixed_ip"}``,
    ``"auto"``, ``"none"``, or None (not given). With None or "auto": the one network the
    project can use (its own or shared, not external) — several is Conflict ("Multiple
    possible networks found, use a Network ID to be more specific."), none is no NIC.
    ``security_groups`` are names or IDs (None → the project's ``default`` group, made on
    demand). Unknown network/port/group → BadRequest; quota for ``count`` servers' ports
    is checked here.
    """
    project_id = context.require_project()
    try:
        groups = tuple(g.id for g in _groups(session, context, project_id, security_groups))
    except NotFound as exc:
        raise BadRequest(exc.message) from None
    if networks == "none":
        return []
    if networks is None or networks == "auto":
        usable = _usable_networks(session, context)
        if len(usable) > 1:
            raise Conflict("Multiple possible networks found, use a Network ID to be more "
                           "specific.")
        networks = [{"uuid": usable[0].id}] if usable else []
    if not isinstance(networks, list):
        raise BadRequest("Bad networks format: it must be a list, 'auto' or 'none'.")
    nics = [_nic(session, context, item, groups) for item in networks]
    new_ports = sum(1 for nic in nics if nic.port_id is None) * count
    if new_ports:
        common.check_quota(session, project_id, "port", new_ports)
    return nics


def _groups(session, context, project_id, names_or_ids) -> list[SecurityGroup]:
    return security_groups.resolve(session, context, project_id, names_or_ids)


def create_server_ports(
    session: Session, context: RequestContext, server_id: str, nics: list[NicRequest]
) -> list[str]:
    """Make (or bind) one port per NIC with device_id=server_id, device_owner "compute:nova".

    Returns the port IDs in NIC order. Addresses are allocated here, at once, so the API
    can show them while the server builds.
    """
    made = []
    for index, nic in enumerate(nics):
        if nic.port_id:
            port = session.get(Port, nic.port_id)
            port.device_id, port.device_owner = server_id, COMPUTE_OWNER
            port.device_index = index
            port.revision_number += 1
            common.touch(port)
        else:
            network = session.get(Network, nic.network_id)
            fixed = [{"ip_address": nic.fixed_ip}] if nic.fixed_ip else None
            port = ports.make_port(session, network, context.require_project(), {
                "device_id": server_id, "device_owner": COMPUTE_OWNER, "auto_delete": True,
                "device_index": index,
                "fixed_ips": fixed, "security_groups": list(nic.security_group_ids) or None})
        made.append(port.id)
    return made


def _server_ports(session: Session, server_ids: list[str]) -> list[Port]:
    query = select(Port).where(Port.device_id.in_(server_ids), Port.deleting.is_(False),
                               Port.device_owner.like("compute:%"))
    return list(session.scalars(query.order_by(Port.device_index, Port.created_at, Port.id)))


def nic_specs(session: Session, server_id: str) -> list[NicSpec]:
    """The server's NICs as the compute driver wants them (MAC, IP, prefix, gateway)."""
    found = []
    server_ports = _server_ports(session, [server_id])
    addresses = ports.fixed_ips(session, [p.id for p in server_ports])
    for port in server_ports:
        if not addresses[port.id]:
            continue
        subnet = session.get(Subnet, addresses[port.id][0].subnet_id)
        network = session.get(Network, port.network_id)
        found.append(NicSpec(port_id=port.id, mac_address=port.mac_address,
                             ip_address=addresses[port.id][0].ip_address,
                             prefix_length=ipam.prefix_length(subnet.cidr),
                             gateway=subnet.gateway_ip, network_id=port.network_id,
                             mtu=network.mtu))
    return found


def server_nameservers(session: Session, server_id: str) -> list[str]:
    """The DNS servers of the subnets the server's NICs are on, in NIC order, once each."""
    found: list[str] = []
    server_ports = _server_ports(session, [server_id])
    addresses = ports.fixed_ips(session, [p.id for p in server_ports])
    for port in server_ports:
        for allocation in addresses[port.id]:
            subnet = session.get(Subnet, allocation.subnet_id)
            found += [ip for ip in subnet.dns_nameservers or [] if ip not in found]
    return found


def server_addresses(session: Session, server_ids: list[str]) -> dict[str, dict[str, list[dict]]]:
    """Nova's ``addresses`` for each server: network name → list of
    ``{"addr", "version", "OS-EXT-IPS:type": "fixed"|"floating", "OS-EXT-IPS-MAC:mac_addr"}``.
    Two queries for all ``server_ids`` whatever their count (list views call it once per
    page), selecting only the columns shown: the ports with their network names and fixed
    IPs, then the floating IPs of those ports."""
    found: dict[str, dict[str, list[dict]]] = {sid: {} for sid in server_ids}
    rows = session.execute(
        select(Port.id, Port.device_id, Port.mac_address, Network.name, IpAllocation.ip_address)
        .join(Network, Network.id == Port.network_id)
        .outerjoin(IpAllocation, IpAllocation.port_id == Port.id)
        .outerjoin(Subnet, Subnet.id == IpAllocation.subnet_id)
        .where(Port.device_id.in_(server_ids), Port.deleting.is_(False),
               Port.device_owner.like("compute:%"))
        .order_by(Port.device_index, Port.created_at, Port.id, Subnet.ip_version,
                  Subnet.created_at, IpAllocation.ip_address)).all()
    floating: dict[str, list[str]] = {}
    if rows:
        for port_id, address in session.execute(
                select(FloatingIp.port_id, FloatingIp.floating_ip_address)
                .where(FloatingIp.port_id.in_({row[0] for row in rows}),
                       FloatingIp.deleting.is_(False))
                .order_by(FloatingIp.created_at, FloatingIp.id)):
            floating.setdefault(port_id, []).append(address)
    for index, (port_id, server_id, mac, network_name, address) in enumerate(rows):
        entries = found[server_id].setdefault(network_name, [])
        if address is not None:
            entries.append(_address(address, "fixed", mac))
        if index + 1 == len(rows) or rows[index + 1][0] != port_id:  # the port's last row
            entries.extend(_address(fip, "floating", mac) for fip in floating.get(port_id, ()))
    return found


def _address(ip_address: str, kind: str, mac: str) -> dict:
    """One entry of ``addresses`` (stored addresses are valid: a colon means IPv6)."""
    return {"addr": ip_address, "version": 6 if ":" in ip_address else 4,
            "OS-EXT-IPS:type": kind, "OS-EXT-IPS-MAC:mac_addr": mac}


def server_security_groups(session: Session, server_ids: list[str]) -> dict[str, list[str]]:
    """Security group names of each server's ports (deduplicated, sorted)."""
    found: dict[str, set[str]] = {sid: set() for sid in server_ids}
    query = (select(Port.device_id, SecurityGroup.name)
             .join(PortSecurityGroup, PortSecurityGroup.port_id == Port.id)
             .join(SecurityGroup, SecurityGroup.id == PortSecurityGroup.security_group_id)
             .where(Port.device_id.in_(server_ids), Port.deleting.is_(False),
                    Port.device_owner.like("compute:%")))
    for server_id, name in session.execute(query):
        found[server_id].add(name)
    return {sid: sorted(names) for sid, names in found.items()}


def release_server_ports(session: Session, server_id: str) -> None:
    """When a server is deleted: delete the ports compute made, unbind ports the user
    gave, and disassociate floating IPs from them. Idempotent."""
    for port in _server_ports(session, [server_id]):
        if port.auto_delete:
            ports.remove_port(session, port)
            continue
        for fip in session.scalars(select(FloatingIp).where(FloatingIp.port_id == port.id)):
            ports.disassociate(fip)
        port.device_id = port.device_owner = port.binding_host_id = ""
        port.revision_number += 1
        common.touch(port)


def change_server_security_group(session: Session, context: RequestContext, server_id: str,
                                 project_id: str, name: str, *, add: bool) -> None:
    """Nova's add/removeSecurityGroup: the group (a name or ID) on or off every port of the
    server. BadRequest when it is already on (add) or not on (remove) the server."""
    group = security_groups.resolve(session, context, project_id, [name])[0]
    server_ports = _server_ports(session, [server_id])
    on_server = any(group.id in security_groups.groups_of_port(session, port.id)
                    for port in server_ports)
    if add and on_server:
        raise BadRequest(f"Security group {name} is already associated with the instance "
                         f"{server_id}")
    if not add and not on_server:
        raise BadRequest(f"Security group {name} not associated with the instance {server_id}")
    for port in server_ports:
        current = [session.get(SecurityGroup, group_id)
                   for group_id in security_groups.groups_of_port(session, port.id)]
        chosen = ([*current, group] if add
                  else [kept for kept in current if kept.id != group.id])
        security_groups.set_port_groups(session, port, chosen)
        port.revision_number += 1
        common.touch(port)
