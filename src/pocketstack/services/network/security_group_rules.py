"""Security group rules: protocol and port-range checks, remote prefix or group, no twins."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import SecurityGroup, SecurityGroupRule
from pocketstack.errors import BadRequest, Conflict
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common, security_groups

PROTOCOL_NUMBERS = {
    "any": None, "ah": 51, "dccp": 33, "egp": 8, "esp": 50, "gre": 47, "icmp": 1,
    "icmpv6": 58, "igmp": 2, "ipip": 4, "ipv6-encap": 41, "ipv6-frag": 44, "ipv6-icmp": 58,
    "ipv6-nonxt": 59, "ipv6-opts": 60, "ipv6-route": 43, "ospf": 89, "pgm": 113, "rsvp": 46,
    "sctp": 132, "tcp": 6, "udp": 17, "udplite": 136, "vrrp": 112,
}
PORTED = {6, 17, 33, 132, 136}
ICMP = {1, 58}
ANYWHERE = {"0.0.0.0/0", "::/0"}


def protocol_number(protocol: str | None) -> int | None:
    """IANA number of a rule's protocol (name or number); None means any."""
    if protocol is None:
        return None
    text = str(protocol).lower()
    if text in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[text]
    if text.isdigit() and 0 <= int(text) <= 255:
        return int(text)
    raise BadRequest(f"Security group rule protocol {protocol} not supported. Only protocol "
                     f"values {sorted(PROTOCOL_NUMBERS)} and integer representations [0 to "
                     f"255] are supported.", neutron_type="SecurityGroupRuleInvalidProtocol")


def _check_ports(number: int | None, low: int | None, high: int | None) -> None:
    if low is None and high is None:
        return
    if number is None:
        raise BadRequest("Must also specify protocol if port range is given.",
                         neutron_type="SecurityGroupProtocolRequiredWithPorts")
    if number in PORTED:
        if low is None or high is None or not 1 <= low <= high <= 65535:
            raise BadRequest("For TCP/UDP protocols, port_range_min must be <= "
                             "port_range_max and both between 1 and 65535.",
                             neutron_type="SecurityGroupInvalidPortRange")
    elif number in ICMP:
        for value, what in ((low, "type"), (high, "code")):
            if value is not None and not 0 <= value <= 255:
                raise BadRequest(f"Invalid value for ICMP {what} {value}: it must be 0-255.",
                                 neutron_type="SecurityGroupInvalidIcmpValue")
        if low is None and high is not None:
            raise BadRequest("ICMP code (port-range-max) is given without ICMP type "
                             "(port-range-min).", neutron_type="SecurityGroupMissingIcmpType")
    else:
        raise BadRequest(f"Invalid protocol {number} for port range; only TCP, UDP, SCTP, "
                         f"DCCP, UDP-Lite and ICMP rules take ports.",
                         neutron_type="SecurityGroupInvalidProtocolForPort")


def _check_prefix(prefix: str | None, ethertype: str) -> str | None:
    if prefix is None:
        return None
    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        raise BadRequest(f"'{prefix}' is not a valid IP prefix.") from None
    if f"IPv{net.version}" != ethertype:
        raise BadRequest(f"Conflicting value ethertype {ethertype} for CIDR {prefix}",
                         neutron_type="SecurityGroupRuleParameterConflict")
    return str(net)


def _signature(rule: SecurityGroupRule) -> tuple:
    prefix = None if rule.remote_ip_prefix in ANYWHERE else rule.remote_ip_prefix
    return (rule.direction, rule.ethertype, protocol_number(rule.protocol),
            rule.port_range_min, rule.port_range_max, prefix, rule.remote_group_id)


def create_rule(session: Session, context: RequestContext, fields: dict) -> SecurityGroupRule:
    group = common.owned(session, context, SecurityGroup, fields.pop("security_group_id"))
    project_id = common.owner_of_new(context, fields)
    if fields.get("remote_ip_prefix") and fields.get("remote_group_id"):
        raise BadRequest("Only remote_ip_prefix or remote_group_id may be provided.",
                         neutron_type="SecurityGroupRemoteGroupAndRemoteIpPrefix")
    if fields.get("remote_group_id"):
        common.visible(session, context, SecurityGroup, fields["remote_group_id"])
    ethertype = fields.get("ethertype") or "IPv4"
    number = protocol_number(fields.get("protocol"))
    _check_ports(number, fields.get("port_range_min"), fields.get("port_range_max"))
    if number in PORTED and fields.get("port_range_max") is None:
        fields["port_range_max"] = fields.get("port_range_min")
    rule = SecurityGroupRule(
        project_id=group.project_id if context.is_admin else project_id,
        security_group_id=group.id, ethertype=ethertype,
        remote_ip_prefix=_check_prefix(fields.pop("remote_ip_prefix", None), ethertype),
        **{k: v for k, v in fields.items() if k != "ethertype"},
    )
    if rule.protocol is not None and str(rule.protocol).lower() == "any":
        rule.protocol = None
    for other in security_groups.rules_of(session, [group.id])[group.id]:
        if _signature(other) == _signature(rule):
            raise Conflict(f"Security group rule already exists. Rule id is {other.id}.",
                           neutron_type="SecurityGroupRuleExists")
    common.check_quota(session, rule.project_id, "security_group_rule")
    session.add(rule)
    group.revision_number += 1
    session.flush()
    security_groups.resync_members(session, [group.id])
    return rule


def list_rules(session: Session, context: RequestContext) -> list[SecurityGroupRule]:
    if context.project_id and context.can_write:
        security_groups.default_group(session, context.project_id)
    query = select(SecurityGroupRule).order_by(SecurityGroupRule.created_at, SecurityGroupRule.id)
    return list(session.scalars(common.scope(query, SecurityGroupRule, context)))


def delete_rule(session: Session, context: RequestContext, rule_id: str) -> None:
    rule = common.owned(session, context, SecurityGroupRule, rule_id)
    group = session.get(SecurityGroup, rule.security_group_id)
    group.revision_number += 1
    security_groups.resync_members(session, [group.id])
    session.delete(rule)
