"""Routers: an external gateway port, interface ports on subnets, deletion when bare."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import FloatingIp, IpAllocation, Network, Port, Router, Subnet
from pocketstack.errors import BadRequest, Conflict, Forbidden, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common, ports

INTERFACE = "network:router_interface"
GATEWAY = "network:router_gateway"


def list_routers(session: Session, context: RequestContext) -> list[Router]:
    query = select(Router).order_by(Router.created_at, Router.id)
    return list(session.scalars(common.scope(query, Router, context)))


def router_ports(session: Session, router_id: str, owner: str) -> list[Port]:
    query = select(Port).where(Port.device_id == router_id, Port.device_owner == owner)
    return list(session.scalars(query.order_by(Port.created_at, Port.id)))


def create_router(session: Session, context: RequestContext, fields: dict) -> Router:
    project_id = common.owner_of_new(context, fields)
    gateway = fields.pop("external_gateway_info", None)
    common.check_quota(session, project_id, "router")
    router = Router(project_id=project_id, status="BUILD", **fields)
    session.add(router)
    session.flush()
    if gateway:
        _set_gateway(session, context, router, gateway)
    return router


def update_router(session: Session, context: RequestContext, router_id: str,
                  changes: dict) -> Router:
    router = common.owned(session, context, Router, router_id)
    if "external_gateway_info" in changes:
        gateway = changes.pop("external_gateway_info")
        if gateway:
            _set_gateway(session, context, router, gateway)
        else:
            _clear_gateway(session, router)
        router.revision_number += 1
    common.revise(router, changes)
    common.touch(router)
    return router


def _set_gateway(session: Session, context: RequestContext, router: Router, info: dict) -> None:
    network_id = info.get("network_id")
    if not network_id:
        raise BadRequest("Invalid input for external_gateway_info: network_id is required.")
    network = session.get(Network, network_id)
    if network is None or network.deleting:
        raise NotFound(f"Network {network_id} could not be found.", neutron_type="NetworkNotFound")
    if not network.external:
        raise BadRequest(f"Bad router request: Network {network_id} is not a valid external "
                         f"network.", neutron_type="BadRequest")
    wanted_ips = info.get("external_fixed_ips") or None
    if wanted_ips and not context.is_admin:
        raise Forbidden("(rule:update_router and rule:update_router:external_gateway_info:"
                        "external_fixed_ips) is disallowed by policy")
    router.enable_snat = info.get("enable_snat", True) is not False
    if router.gateway_network_id == network_id and wanted_ips is None:
        return
    _clear_gateway(session, router, keep_floating=router.gateway_network_id == network_id)
    ports.make_port(session, network, "", {"device_id": router.id, "device_owner": GATEWAY,
                                           "fixed_ips": wanted_ips})
    router.gateway_network_id = network_id
    common.touch(router)


def _clear_gateway(session: Session, router: Router, *, keep_floating: bool = False) -> None:
    if router.gateway_network_id is None:
        return
    used = select(FloatingIp.id).where(FloatingIp.router_id == router.id)
    if not keep_floating and session.scalar(used.limit(1)):
        raise Conflict(f"Gateway cannot be updated for router {router.id}, since a gateway "
                       f"to external network {router.gateway_network_id} is required by one "
                       f"or more floating IPs.", neutron_type="RouterExternalGatewayInUseByFloatingIp")
    for port in router_ports(session, router.id, GATEWAY):
        session.delete(port)
    router.gateway_network_id = None
    common.touch(router)


def delete_router(session: Session, context: RequestContext, router_id: str) -> None:
    """Refuse while interfaces remain; otherwise mark it for the agent, which removes the
    row and its gateway port after the host dropped the router."""
    router = common.owned(session, context, Router, router_id)
    if router_ports(session, router_id, INTERFACE):
        raise Conflict(f"Router {router_id} still has ports", neutron_type="RouterInUse")
    for fip in session.scalars(select(FloatingIp).where(FloatingIp.router_id == router_id)):
        ports.disassociate(fip)
    router.deleting = True
    router.status = "DELETING"
    common.touch(router)


def _attached_subnets(session: Session, router_id: str) -> list[Subnet]:
    holders = select(Port.id).where(Port.device_id == router_id, Port.device_owner == INTERFACE)
    query = (select(Subnet).join(IpAllocation, IpAllocation.subnet_id == Subnet.id)
             .where(IpAllocation.port_id.in_(holders)))
    return list(session.scalars(query))


def _check_attachable(session: Session, router: Router, subnet: Subnet) -> None:
    wanted = ipaddress.ip_network(subnet.cidr)
    for other in _attached_subnets(session, router.id):
        if other.id == subnet.id:
            raise BadRequest(f"Bad router request: Router already has a port on subnet "
                             f"{subnet.id}.")
        if ipaddress.ip_network(other.cidr).overlaps(wanted):
            raise BadRequest(f"Bad router request: Cidr {subnet.cidr} of subnet {subnet.id} "
                             f"overlaps with cidr {other.cidr} of subnet {other.id}.")


def add_interface(session: Session, context: RequestContext, router_id: str,
                  subnet_id: str | None, port_id: str | None) -> tuple[Router, Port]:
    router = common.owned(session, context, Router, router_id)
    if bool(subnet_id) == bool(port_id):
        raise BadRequest("Bad router request: Either subnet_id or port_id must be specified.")
    if port_id:
        port = _adopt_port(session, context, router, port_id)
    else:
        subnet = common.visible(session, context, Subnet, subnet_id)
        if not subnet.gateway_ip:
            raise BadRequest(f"Bad router request: Subnet {subnet_id} for router interface "
                             f"must have a gateway IP.")
        _check_attachable(session, router, subnet)
        common.check_quota(session, router.project_id, "port")
        network = session.get(Network, subnet.network_id)
        port = ports.make_port(session, network, router.project_id, {
            "device_id": router.id, "device_owner": INTERFACE, "admin_state_up": True,
            "fixed_ips": [{"subnet_id": subnet.id, "ip_address": subnet.gateway_ip}]})
    router.revision_number += 1
    common.touch(router)
    return router, port


def _adopt_port(session: Session, context: RequestContext, router: Router, port_id: str) -> Port:
    port = common.owned(session, context, Port, port_id)
    if port.device_id:
        raise Conflict(f"Unable to complete operation on port {port_id} for network "
                       f"{port.network_id}. Port already has an attached device "
                       f"{port.device_id}.", neutron_type="PortInUse")
    allocations = ports.fixed_ips(session, [port.id])[port.id]
    if not allocations:
        raise BadRequest(f"Bad router request: Router port {port_id} must have at least "
                         f"one fixed IP.")
    for allocation in allocations:
        _check_attachable(session, router, session.get(Subnet, allocation.subnet_id))
    ports.security_groups.set_port_groups(session, port, [])
    port.device_id, port.device_owner = router.id, INTERFACE
    port.revision_number += 1
    return port


def remove_interface(session: Session, context: RequestContext, router_id: str,
                     subnet_id: str | None, port_id: str | None) -> tuple[Router, Port, list]:
    router = common.owned(session, context, Router, router_id)
    interfaces = router_ports(session, router_id, INTERFACE)
    allocations = ports.fixed_ips(session, [p.id for p in interfaces])
    if port_id:
        port = next((p for p in interfaces if p.id == port_id), None)
        if port is None:
            raise NotFound(f"Router {router_id} does not have an interface with id {port_id}",
                           neutron_type="RouterInterfaceNotFound")
    else:
        port = next((p for p in interfaces
                     if any(a.subnet_id == subnet_id for a in allocations[p.id])), None)
        if port is None:
            raise NotFound(f"Router {router_id} has no interface on subnet {subnet_id}",
                           neutron_type="RouterInterfaceNotFoundForSubnet")
    subnet_ids = [a.subnet_id for a in allocations[port.id]]
    _refuse_if_floating_ips_need(session, router, subnet_ids)
    ports.remove_port(session, port)
    router.revision_number += 1
    common.touch(router)
    return router, port, subnet_ids


def _refuse_if_floating_ips_need(session: Session, router: Router, subnet_ids: list[str]) -> None:
    for fip in session.scalars(select(FloatingIp).where(FloatingIp.router_id == router.id)):
        allocation = session.scalar(select(IpAllocation).where(
            IpAllocation.port_id == fip.port_id, IpAllocation.ip_address == fip.fixed_ip_address))
        if allocation and allocation.subnet_id in subnet_ids:
            raise Conflict(f"Cannot remove the router interface on subnet "
                           f"{allocation.subnet_id} of router {router.id}: floating IP "
                           f"{fip.id} needs it.", neutron_type="RouterInterfaceInUseByFloatingIP")
