"""The default networks made at first start, as DevStack makes them."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import Network, Router, Subnet
from pocketstack.services.context import RequestContext
from pocketstack.services.network import networks, routers, security_groups, subnets
from pocketstack.services.network.routers import INTERFACE, router_ports
from pocketstack.services.runtime import Cloud


def _acting_for(project_id: str) -> RequestContext:
    return RequestContext(user_id="bootstrap", user_name="bootstrap", domain_id="default",
                          project_id=project_id, project_name=None,
                          roles=frozenset({"admin", "member", "reader"}))


def _named(session: Session, model, project_id: str, name: str):
    return session.scalar(select(model).where(model.project_id == project_id, model.name == name,
                                              *([model.deleting.is_(False)]
                                                if hasattr(model, "deleting") else [])))


def _network(session, context, name: str, **fields) -> Network:
    return _named(session, Network, context.project_id, name) or networks.create_network(
        session, context, {"name": name, **fields})


def _subnet(session, context, network: Network, name: str, **fields) -> Subnet:
    return _named(session, Subnet, context.project_id, name) or subnets.create_subnet(
        session, context, {"name": name, "network_id": network.id, **fields})


def _public(session: Session, cloud: Cloud, admin: RequestContext) -> Network:
    public = _network(session, admin, "public", external=True, shared=False)
    cidr = ipaddress.ip_network(cloud.settings.public_cidr)
    first, last = cidr.network_address + 1, cidr.broadcast_address - 1
    _subnet(session, admin, public, "public-subnet", cidr=str(cidr), gateway_ip=str(first),
            allocation_pools=[{"start": str(first + 1), "end": str(last)}],
            enable_dhcp=False)
    return public


def _private(session: Session, demo: RequestContext, public: Network) -> None:
    private = _network(session, demo, "private")
    subnet = _subnet(session, demo, private, "private-subnet", cidr="10.0.0.0/24",
                     dns_nameservers=[])
    router = _named(session, Router, demo.project_id, "router1") or routers.create_router(
        session, demo, {"name": "router1",
                        "external_gateway_info": {"network_id": public.id}})
    attached = {a.subnet_id for p in router_ports(session, router.id, INTERFACE)
                for a in routers.ports.fixed_ips(session, [p.id])[p.id]}
    if subnet.id not in attached:
        routers.add_interface(session, demo, router.id, subnet.id, None)


def ensure_default_networks(cloud: Cloud, *, admin_project_id: str, demo_project_id: str) -> None:
    """Create ``public``, demo's ``private`` with its subnet and router. Idempotent."""
    admin, demo = _acting_for(admin_project_id), _acting_for(demo_project_id)
    with cloud.db.session() as session:
        public = _public(session, cloud, admin)
        _private(session, demo, public)
        for project_id in (admin_project_id, demo_project_id):
            security_groups.default_group(session, project_id)
