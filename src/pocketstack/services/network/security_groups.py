"""Security groups: the per-project ``default`` group made on demand, CRUD, membership."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pocketstack.db.models.network import (
    DefaultSecurityGroup,
    Port,
    PortSecurityGroup,
    SecurityGroup,
    SecurityGroupRule,
)
from pocketstack.errors import BadRequest, Conflict
from pocketstack.services.context import RequestContext
from pocketstack.services.network import common


def _egress_rules(group: SecurityGroup) -> list[SecurityGroupRule]:
    return [SecurityGroupRule(project_id=group.project_id, security_group_id=group.id,
                              direction="egress", ethertype=ethertype)
            for ethertype in ("IPv4", "IPv6")]


def default_group(session: Session, project_id: str) -> SecurityGroup:
    """The project's ``default`` group, made (with Neutron's default rules) at first use."""
    found = session.get(DefaultSecurityGroup, project_id)
    if found is not None:
        return session.get(SecurityGroup, found.security_group_id)
    group = SecurityGroup(project_id=project_id, name="default",
                          description="Default security group")
    session.add(group)
    session.flush()
    # The primary key on DefaultSecurityGroup makes a concurrent second default fail.
    session.add(DefaultSecurityGroup(project_id=project_id, security_group_id=group.id))
    session.add_all(_egress_rules(group))
    session.add_all(
        SecurityGroupRule(project_id=project_id, security_group_id=group.id,
                          direction="ingress", ethertype=ethertype, remote_group_id=group.id)
        for ethertype in ("IPv4", "IPv6"))
    session.flush()
    return group


def is_default(session: Session, group: SecurityGroup) -> bool:
    found = session.get(DefaultSecurityGroup, group.project_id)
    return found is not None and found.security_group_id == group.id


def list_groups(session: Session, context: RequestContext) -> list[SecurityGroup]:
    if context.project_id and context.can_write:
        default_group(session, context.project_id)
    query = select(SecurityGroup).order_by(SecurityGroup.created_at, SecurityGroup.id)
    return list(session.scalars(common.scope(query, SecurityGroup, context)))


def rules_of(session: Session, group_ids: list[str]) -> dict[str, list[SecurityGroupRule]]:
    found: dict[str, list[SecurityGroupRule]] = {gid: [] for gid in group_ids}
    query = (select(SecurityGroupRule).where(SecurityGroupRule.security_group_id.in_(group_ids))
             .order_by(SecurityGroupRule.created_at, SecurityGroupRule.id))
    for rule in session.scalars(query):
        found[rule.security_group_id].append(rule)
    return found


def create_group(session: Session, context: RequestContext, fields: dict) -> SecurityGroup:
    project_id = common.owner_of_new(context, fields)
    if fields.get("name") == "default":
        default_group(session, project_id)
        raise Conflict("Default security group already exists.",
                       neutron_type="SecurityGroupDefaultAlreadyExists")
    common.check_quota(session, project_id, "security_group")
    group = SecurityGroup(project_id=project_id, **fields)
    session.add(group)
    session.flush()
    session.add_all(_egress_rules(group))
    session.flush()
    return group


def update_group(session: Session, context: RequestContext, group_id: str,
                 changes: dict) -> SecurityGroup:
    group = common.owned(session, context, SecurityGroup, group_id)
    if is_default(session, group) and changes.get("name", "default") != "default":
        raise Conflict("Updating default security group not allowed.",
                       neutron_type="SecurityGroupCannotUpdateDefault")
    if changes.get("name") == "default" and not is_default(session, group):
        raise Conflict("Default security group already exists.",
                       neutron_type="SecurityGroupDefaultAlreadyExists")
    common.revise(group, changes)
    return group


def delete_group(session: Session, context: RequestContext, group_id: str) -> None:
    group = common.owned(session, context, SecurityGroup, group_id)
    if is_default(session, group) and not context.is_admin:
        raise Conflict("Insufficient rights for removing default security group.",
                       neutron_type="SecurityGroupCannotRemoveDefault")
    users = (select(PortSecurityGroup.port_id).join(Port, Port.id == PortSecurityGroup.port_id)
             .where(PortSecurityGroup.security_group_id == group_id, Port.deleting.is_(False)))
    if session.scalar(users.limit(1)):
        raise Conflict(f"Security Group {group_id} in use.", neutron_type="SecurityGroupInUse")
    resync_members(session, [group_id])
    session.delete(group)


def resolve(session: Session, context: RequestContext, project_id: str,
            names_or_ids: list[str] | None) -> list[SecurityGroup]:
    """Groups named (by ID or name) for a port of ``project_id``; None → its default."""
    if names_or_ids is None:
        return [default_group(session, project_id)]
    found = []
    for wanted in names_or_ids:
        group = session.get(SecurityGroup, wanted)
        if group is None or not context.owns(group.project_id):
            group = _by_name(session, context, project_id, wanted)
        if group.id not in {g.id for g in found}:
            found.append(group)
    return found


def _by_name(session: Session, context: RequestContext, project_id: str,
             name: str) -> SecurityGroup:
    if name == "default":
        return default_group(session, project_id)
    matches = list(session.scalars(select(SecurityGroup).where(
        SecurityGroup.name == name, SecurityGroup.project_id == project_id)))
    if len(matches) > 1:
        raise Conflict(f"Multiple security groups named {name}; use an ID.")
    if not matches:
        raise common.not_found(SecurityGroup, name)
    return matches[0]


def set_port_groups(session: Session, port: Port, groups: list[SecurityGroup]) -> None:
    if groups and not port.port_security_enabled:
        raise Conflict(f"Port {port.id} has no IP address or port security disabled, so "
                       f"security groups cannot be applied.",
                       neutron_type="PortSecurityAndIPRequiredForSecurityGroups")
    before = groups_of_port(session, port.id)
    for link in session.scalars(select(PortSecurityGroup).where(
            PortSecurityGroup.port_id == port.id)):
        session.delete(link)
    session.flush()
    session.add_all(PortSecurityGroup(port_id=port.id, security_group_id=g.id) for g in groups)
    session.flush()
    resync_members(session, sorted(set(before) | {g.id for g in groups}))


def groups_of_port(session: Session, port_id: str) -> list[str]:
    return list(session.scalars(select(PortSecurityGroup.security_group_id)
                                .where(PortSecurityGroup.port_id == port_id)))


def resync_members(session: Session, group_ids: list[str]) -> None:
    """Ports whose rules depend on ``group_ids`` (as members, or through a rule naming one of
    them as remote group) must be converged again."""
    if not group_ids:
        return
    referring = select(SecurityGroupRule.security_group_id).where(
        SecurityGroupRule.remote_group_id.in_(group_ids))
    affected = select(PortSecurityGroup.port_id).where(
        PortSecurityGroup.security_group_id.in_(group_ids)
        | PortSecurityGroup.security_group_id.in_(referring))
    # One statement, not a load and an UPDATE per port: a group may hold every port.
    session.execute(update(Port).where(Port.id.in_(affected), Port.deleting.is_(False))
                    .values(generation=Port.generation + 1)
                    .execution_options(synchronize_session="fetch"))


def require_ids(values) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise BadRequest("Invalid input for security_groups: it must be a list of IDs.")
    return values
