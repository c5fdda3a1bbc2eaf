"""Floating IPs: an address on an external network, carried by the router that joins the
associated port's subnet to that network."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import new_id
from pocketstack.db.models.network import FloatingIp, IpAllocation, Network, Port, Router
from pocketstack.errors import BadRequest, Conflict, NotFound
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common, ports
from pocketstack.services.network.routers import INTERFACE

OWNER = "network:floatingip"


def list_floating_ips(session: Session, context: RequestContext) -> list[FloatingIp]:
    query = select(FloatingIp).order_by(FloatingIp.created_at, FloatingIp.id)
    return list(session.scalars(common.scope(query, FloatingIp, context)))


def create_floating_ip(session: Session, context: RequestContext, fields: dict) -> FloatingIp:
    project_id = common.owner_of_new(context, fields)
    network_id = fields.pop("floating_network_id")
    network = session.get(Network, network_id)
    if network is None or network.deleting or not network.external:
        raise BadRequest(f"Bad floatingip request: Network {network_id} is not a valid "
                         f"external network.")
    common.check_quota(session, project_id, "floatingip")
    fip = FloatingIp(id=new_id(), project_id=project_id, floating_network_id=network.id,
                     floating_ip_address="", status="DOWN",
                     name=fields.pop("name", ""), description=fields.pop("description", ""))
    wanted = None
    if fields.get("floating_ip_address") or fields.get("subnet_id"):
        wanted = [{k: fields[k] for k in ("subnet_id",) if fields.get(k)}]
        if fields.get("floating_ip_address"):
            wanted[0]["ip_address"] = fields["floating_ip_address"]
    port = ports.make_port(session, network, "", {"device_id": fip.id, "device_owner": OWNER,
                                                  "fixed_ips": wanted})
    allocation = ports.fixed_ips(session, [port.id])[port.id]
    if not allocation:
        raise BadRequest(f"Bad floatingip request: Network {network_id} has no subnet.")
    fip.floating_ip_address = allocation[0].ip_address
    fip.floating_port_id = port.id
    session.add(fip)
    session.flush()
    if fields.get("port_id"):
        associate(session, context, fip, fields["port_id"], fields.get("fixed_ip_address"))
    return fip


def update_floating_ip(session: Session, context: RequestContext, fip_id: str,
                       changes: dict) -> FloatingIp:
    fip = common.owned(session, context, FloatingIp, fip_id)
    if "port_id" in changes:
        if changes["port_id"]:
            associate(session, context, fip, changes["port_id"], changes.get("fixed_ip_address"))
        elif fip.port_id:
            ports.disassociate(fip)
            fip.status = "DOWN"
    common.revise(fip, {k: v for k, v in changes.items() if k in ("description", "name")})
    return fip


def associate(session: Session, context: RequestContext, fip: FloatingIp, port_id: str,
              fixed_ip_address: str | None) -> None:
    port = common.owned(session, context, Port, port_id)
    allocations = ports.fixed_ips(session, [port.id])[port.id]
    if fixed_ip_address:
        allocation = next((a for a in allocations if a.ip_address == fixed_ip_address), None)
        if allocation is None:
            raise BadRequest(f"Bad floatingip request: Port {port_id} does not have fixed ip "
                             f"{fixed_ip_address}.")
    else:
        v4 = [a for a in allocations if ipaddress.ip_address(a.ip_address).version == 4]
        if not v4:
            raise BadRequest(f"Bad floatingip request: Port {port_id} does not have any IPv4 "
                             f"address.")
        allocation = v4[0]
    taken = session.scalar(select(FloatingIp).where(
        FloatingIp.port_id == port.id, FloatingIp.fixed_ip_address == allocation.ip_address,
        FloatingIp.id != fip.id))
    if taken is not None:
        raise Conflict(f"Cannot associate floating IP {fip.floating_ip_address} ({fip.id}) "
                       f"with port {port_id} using fixed IP {allocation.ip_address}, as that "
                       f"fixed IP already has a floating IP on external network "
                       f"{fip.floating_network_id}.", neutron_type="FloatingIPPortAlreadyAssociated")
    router = _router_for(session, fip.floating_network_id, allocation)
    changed = (fip.port_id, fip.fixed_ip_address, fip.router_id) != (
        port.id, allocation.ip_address, router.id)
    fip.port_id, fip.fixed_ip_address, fip.router_id = port.id, allocation.ip_address, router.id
    if changed:
        fip.status = "DOWN"
        fip.revision_number += 1
        common.touch(fip)


def _router_for(session: Session, external_network_id: str, allocation: IpAllocation) -> Router:
    """The router with a gateway on the external network and an interface on the subnet."""
    interfaces = select(Port.device_id).join(IpAllocation, IpAllocation.port_id == Port.id).where(
        Port.device_owner == INTERFACE, IpAllocation.subnet_id == allocation.subnet_id)
    router = session.scalar(select(Router).where(
        Router.id.in_(interfaces), Router.gateway_network_id == external_network_id,
        Router.deleting.is_(False)).order_by(Router.created_at))
    if router is None:
        raise NotFound(f"External network {external_network_id} is not reachable from subnet "
                       f"{allocation.subnet_id}.  Therefore, cannot associate Port "
                       f"{allocation.port_id} with a Floating IP.",
                       neutron_type="ExternalGatewayForFloatingIPNotFound")
    return router


def delete_floating_ip(session: Session, context: RequestContext, fip_id: str) -> None:
    """Mark it; the agent drops it from the host, then removes the row and its port."""
    fip = common.owned(session, context, FloatingIp, fip_id)
    fip.deleting = True
    fip.status = "DELETING"
    common.touch(fip)
