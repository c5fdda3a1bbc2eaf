"""What the host should have, read from desired state for the network reconcilers, and the
outcomes they report back. No driver calls here: the agent makes them."""

from __future__ import annotations

import ipaddress

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import (
    FloatingIp,
    IpAllocation,
    Network,
    Port,
    PortSecurityGroup,
    Router,
    SecurityGroupRule,
    Subnet,
)
from pocketstack.drivers.network.base import (
    FixedIp,
    FloatingIpSpec,
    NetworkSpec,
    PortSpec,
    RouterGateway,
    RouterLeg,
    RouterSpec,
    SecurityRule,
)
from pocketstack.services.network import ports as port_service
from pocketstack.services.network.routers import GATEWAY, INTERFACE, router_ports
from pocketstack.services.network.security_group_rules import protocol_number


def _plugged_kind(query):
    return query.where(Port.device_owner.not_like("network:%"))


def pending(session: Session, model) -> list[str]:
    """Rows whose host state may lag their desired state."""
    query = select(model.id).where(or_(model.generation != model.applied_generation,
                                       model.deleting.is_(True)))
    return list(session.scalars(_plugged_kind(query) if model is Port else query))


def wanted(session: Session, model) -> set[str]:
    """IDs the host may keep (for mark and sweep)."""
    query = select(model.id).where(model.deleting.is_(False))
    return set(session.scalars(_plugged_kind(query) if model is Port else query))


def network_spec(session: Session, network: Network) -> NetworkSpec:
    subnets = list(session.scalars(select(Subnet).where(Subnet.network_id == network.id)))
    return NetworkSpec(
        id=network.id, name=network.name, mtu=network.mtu, external=network.external,
        admin_state_up=network.admin_state_up, cidrs=tuple(s.cidr for s in subnets),
        gateway_ips=tuple(s.gateway_ip for s in subnets if s.gateway_ip and network.external))


def _fixed(session: Session, port_id: str) -> tuple[FixedIp, ...]:
    found = []
    for allocation in port_service.fixed_ips(session, [port_id])[port_id]:
        subnet = session.get(Subnet, allocation.subnet_id)
        found.append(FixedIp(allocation.ip_address, ipaddress.ip_network(subnet.cidr).prefixlen,
                             subnet.gateway_ip))
    return tuple(found)


def _members(session: Session, group_id: str, ethertype: str) -> tuple[str, ...]:
    query = (select(IpAllocation.ip_address)
             .join(PortSecurityGroup, PortSecurityGroup.port_id == IpAllocation.port_id)
             .join(Port, Port.id == IpAllocation.port_id)
             .where(PortSecurityGroup.security_group_id == group_id, Port.deleting.is_(False)))
    version = 4 if ethertype == "IPv4" else 6
    return tuple(sorted(ipaddress.ip_interface(ip).with_prefixlen for ip in session.scalars(query)
                        if ipaddress.ip_address(ip).version == version))


def _rules(session: Session, port_id: str) -> tuple[SecurityRule, ...]:
    groups = select(PortSecurityGroup.security_group_id).where(PortSecurityGroup.port_id == port_id)
    query = select(SecurityGroupRule).where(SecurityGroupRule.security_group_id.in_(groups))
    rules = set()
    for rule in session.scalars(query.order_by(SecurityGroupRule.created_at)):
        number = protocol_number(rule.protocol)
        if rule.remote_group_id:
            remote = _members(session, rule.remote_group_id, rule.ethertype)
            if not remote:
                continue
        else:
            remote = (rule.remote_ip_prefix,) if rule.remote_ip_prefix else ()
        rules.add(SecurityRule(rule.direction, rule.ethertype,
                               None if number is None else str(number),
                               rule.port_range_min, rule.port_range_max, remote))
    return tuple(sorted(rules, key=repr))


def port_spec(session: Session, port: Port) -> PortSpec | None:
    """The port's host side, or None when it should have none (not bound to a device)."""
    if port.deleting or not port.device_id:
        return None
    network = session.get(Network, port.network_id)
    return PortSpec(
        id=port.id, name=port.name, network_id=port.network_id, mac_address=port.mac_address,
        fixed_ips=_fixed(session, port.id), admin_state_up=port.admin_state_up, mtu=network.mtu,
        security_enabled=port.port_security_enabled, rules=_rules(session, port.id),
        allowed_addresses=tuple(p["ip_address"] for p in port.allowed_address_pairs))


def _leg(session: Session, port: Port) -> RouterLeg | None:
    fixed = _fixed(session, port.id)
    if not fixed:
        return None
    return RouterLeg(port.id, port.network_id, port.mac_address, fixed[0].ip_address,
                     fixed[0].prefix_length)


def router_spec(session: Session, router: Router) -> RouterSpec:
    legs = [_leg(session, p) for p in router_ports(session, router.id, INTERFACE)]
    gateway = None
    gateway_ports = router_ports(session, router.id, GATEWAY)
    if gateway_ports and (leg := _leg(session, gateway_ports[0])):
        gateway = RouterGateway(leg, _fixed(session, leg.port_id)[0].gateway, router.enable_snat)
    return RouterSpec(id=router.id, name=router.name, admin_state_up=router.admin_state_up,
                      interfaces=tuple(leg for leg in legs if leg), gateway=gateway)


def floating_ip_spec(session: Session, fip: FloatingIp) -> FloatingIpSpec | None:
    if fip.deleting or not (fip.port_id and fip.router_id and fip.fixed_ip_address):
        return None
    return FloatingIpSpec(fip.id, fip.floating_ip_address, fip.fixed_ip_address, fip.router_id,
                          fip.port_id)


def report(session: Session, row, generation: int, status: str) -> None:
    """The host converged ``row`` as it was at ``generation``."""
    row.applied_generation = generation
    row.status = status
    row.fault = None
    if isinstance(row, Router):
        # The legs are wired once the host applied the router, even while the router is
        # administratively down (as OVN reports them; Tempest waits for ACTIVE legs).
        leg_status = "ACTIVE" if status == "DOWN" else status
        for port in session.scalars(select(Port).where(Port.device_id == row.id,
                                                       Port.device_owner.like("network:%"))):
            port.status = leg_status


def report_fault(row, message: str) -> None:
    """A permanent failure: ERROR until the desired state changes again."""
    row.applied_generation = row.generation
    row.status = "ERROR"
    row.fault = message


def finish_delete(session: Session, row) -> None:
    """The host forgot ``row``: remove it and what only it kept alive."""
    if isinstance(row, Router):
        session.execute(delete(Port).where(Port.device_id == row.id, Port.device_owner == GATEWAY))
    if isinstance(row, FloatingIp) and row.floating_port_id:
        session.execute(delete(Port).where(Port.id == row.floating_port_id))
    session.delete(row)


def network_has_ports(session: Session, network_id: str) -> bool:
    return session.scalar(select(Port.id).where(Port.network_id == network_id).limit(1)) is not None
