"""A load balancer's VIP: a Neutron port on the tenant subnet, made through the network
services so a floating IP can be associated with it like with any port.

The port is ``octavia-lb-<id>`` with device owner ``Octavia``; port security is off on it
(HAProxy answers only on the listeners' ports, and the namespace holding it is ours, not a
tenant's), so clients reach the VIP through a floating IP without a security group rule.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.loadbalancer import LoadBalancer
from pocketstack.db.models.network import Network, Port, Subnet
from pocketstack.errors import BadRequest
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common as network_common
from pocketstack.services.network import ports
from pocketstack.services.network.subnets import subnets_of

OWNER = "Octavia"


def _subnet(session: Session, context: RequestContext, subnet_id: str | None,
            network_id: str | None) -> Subnet:
    if subnet_id:
        subnet = session.scalar(network_common.scope(
            select(Subnet).where(Subnet.id == subnet_id), Subnet, context))
        if subnet is None:
            raise BadRequest(f"Subnet {subnet_id} not found.")
        if network_id and subnet.network_id != network_id:
            raise BadRequest(f"Subnet {subnet_id} is not on network {network_id}.")
        return subnet
    network = session.scalar(network_common.scope(
        select(Network).where(Network.id == network_id), Network, context))
    if network is None:
        raise BadRequest(f"Network {network_id} not found.")
    candidates = [s for s in subnets_of(session, network.id) if s.ip_version == 4]
    if not candidates:
        raise BadRequest(f"Network {network_id} has no IPv4 subnet for the VIP; add one or "
                         f"give vip_subnet_id.")
    return candidates[0]


def attach(session: Session, context: RequestContext, lb: LoadBalancer, fields: dict) -> None:
    """Give ``lb`` its VIP from ``vip_port_id``, or a new port on ``vip_subnet_id`` /
    ``vip_network_id`` (at ``vip_address`` when given)."""
    if fields.get("vip_port_id"):
        port = _adopt(session, context, lb, fields["vip_port_id"])
    elif fields.get("vip_subnet_id") or fields.get("vip_network_id"):
        subnet = _subnet(session, context, fields.get("vip_subnet_id"),
                         fields.get("vip_network_id"))
        port = _new_port(session, lb, subnet, fields.get("vip_address"))
    else:
        raise BadRequest("VIP must contain one of: vip_port_id, vip_network_id, vip_subnet_id.")
    allocation = ports.fixed_ips(session, [port.id])[port.id]
    if not allocation:
        raise BadRequest(f"Port {port.id} has no fixed IP for the VIP.")
    lb.vip_port_id, lb.vip_network_id = port.id, port.network_id
    lb.vip_subnet_id, lb.vip_address = allocation[0].subnet_id, allocation[0].ip_address


def _new_port(session: Session, lb: LoadBalancer, subnet: Subnet, address: str | None) -> Port:
    network_common.check_quota(session, lb.project_id, "port")
    fixed = {"subnet_id": subnet.id, **({"ip_address": address} if address else {})}
    return ports.make_port(session, session.get(Network, subnet.network_id), lb.project_id, {
        "name": f"octavia-lb-{lb.id}", "device_id": lb.id, "device_owner": OWNER,
        "fixed_ips": [fixed], "port_security_enabled": False, "security_groups": []})


def _adopt(session: Session, context: RequestContext, lb: LoadBalancer, port_id: str) -> Port:
    port = network_common.owned(session, context, Port, port_id)
    if port.device_id or port.device_owner:
        raise BadRequest(f"Port {port_id} is already in use by {port.device_owner or 'a device'} "
                         f"{port.device_id}; give a free port or a subnet.")
    port.device_id, port.device_owner = lb.id, OWNER
    network_common.touch(port)
    return port


def missing(session: Session, lb: LoadBalancer) -> str | None:
    """Why ``lb``'s VIP cannot be served (its port, subnet or network is gone, or the port
    was given to something else), or None. Permanent: the load balancer goes ERROR."""
    port = session.get(Port, lb.vip_port_id) if lb.vip_port_id else None
    if port is None or port.deleting or port.device_id != lb.id:
        return (f"The VIP port {lb.vip_port_id} of load balancer {lb.id} is gone; delete the "
                f"load balancer and create it again.")
    for model, key in ((Subnet, lb.vip_subnet_id), (Network, lb.vip_network_id)):
        if session.get(model, key) is None:
            return (f"The VIP {model.__name__.lower()} {key} of load balancer {lb.id} is "
                    f"gone; delete the load balancer and create it again.")
    return None


def release(session: Session, lb: LoadBalancer) -> None:
    """The load balancer is gone from the host: its VIP port goes (a port the user gave is
    only unbound), with any floating IP let go."""
    port = session.get(Port, lb.vip_port_id) if lb.vip_port_id else None
    if port is None or port.deleting or port.device_id != lb.id:
        return
    if port.name == f"octavia-lb-{lb.id}":
        ports.remove_port(session, port)
        return
    port.device_id = port.device_owner = ""
    network_common.touch(port)
