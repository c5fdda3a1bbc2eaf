"""Networks: tenancy, the admin-only flags, and deletion only when nothing uses them."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import FloatingIp, Network, Port, Subnet
from pocketstack.errors import Conflict, Forbidden
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common

ADMIN_ONLY = ("shared", "external")
AUTO_DELETED_OWNERS = ("network:dhcp", "network:distributed")


def _require_admin_for(context: RequestContext, fields: dict) -> None:
    for name in ADMIN_ONLY:
        if fields.get(name) and not context.is_admin:
            label = "router:external" if name == "external" else name
            raise Forbidden(f"(rule:create_network and rule:create_network:{label}) is "
                            f"disallowed by policy", neutron_type="PolicyNotAuthorized")


def list_networks(session: Session, context: RequestContext) -> list[Network]:
    query = select(Network).order_by(Network.created_at, Network.id)
    return list(session.scalars(common.scope(query, Network, context)))


def create_network(session: Session, context: RequestContext, fields: dict) -> Network:
    project_id = common.owner_of_new(context, fields)
    _require_admin_for(context, fields)
    common.check_quota(session, project_id, "network")
    network = Network(project_id=project_id, status="BUILD", **fields)
    session.add(network)
    session.flush()
    return network


def update_network(session: Session, context: RequestContext, network_id: str,
                   changes: dict) -> Network:
    network = common.owned(session, context, Network, network_id)
    if any(name in changes and changes[name] != getattr(network, name) for name in ADMIN_ONLY):
        _require_admin_for(context, {name: True for name in ADMIN_ONLY if name in changes})
    if changes.get("external") is False and network.external and _in_use(session, network.id):
        raise Conflict(f"Unable to complete operation on network {network_id}. There are "
                       f"one or more ports still in use on the network.",
                       neutron_type="NetworkInUse")
    if common.revise(network, changes):
        common.touch(network)
    return network


def _in_use(session: Session, network_id: str) -> bool:
    query = select(Port.id).where(Port.network_id == network_id, Port.deleting.is_(False),
                                  Port.device_owner.not_in(AUTO_DELETED_OWNERS))
    return session.scalar(query.limit(1)) is not None


def delete_network(session: Session, context: RequestContext, network_id: str) -> None:
    """Refuse while ports other than DHCP-like ones use it; otherwise remove its subnets
    and mark it for the agent, which removes the row once the host forgot it."""
    network = common.owned(session, context, Network, network_id)
    if _in_use(session, network_id) or session.scalar(
            select(FloatingIp.id).where(FloatingIp.floating_network_id == network_id).limit(1)):
        raise Conflict(f"Unable to complete operation on network {network_id}. There are "
                       f"one or more ports still in use on the network.",
                       neutron_type="NetworkInUse")
    session.execute(delete(Port).where(Port.network_id == network_id,
                                       Port.device_owner.in_(AUTO_DELETED_OWNERS)))
    for subnet in session.scalars(select(Subnet).where(Subnet.network_id == network_id)):
        session.delete(subnet)
    network.deleting = True
    network.status = "DELETING"
    common.touch(network)
