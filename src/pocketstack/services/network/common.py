"""What every network resource shares: tenancy, lookups, revisions, quota and ownership."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from pocketstack.db.models.network import (
    FloatingIp,
    Network,
    Port,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)
from pocketstack.errors import Conflict, Forbidden, NotFound, QuotaExceeded
from pocketstack.services import quota
from pocketstack.services.context import RequestContext

KIND_NAMES = {
    Network: "Network",
    Subnet: "Subnet",
    Port: "Port",
    Router: "Router",
    FloatingIp: "FloatingIP",
    SecurityGroup: "SecurityGroup",
    SecurityGroupRule: "SecurityGroupRule",
}

QUOTA_RESOURCES = {
    "network": Network,
    "subnet": Subnet,
    "port": Port,
    "router": Router,
    "floatingip": FloatingIp,
    "security_group": SecurityGroup,
    "security_group_rule": SecurityGroupRule,
}

# Ports the network service itself owns: never plugged by the port reconciler.
SERVICE_OWNERS = ("network:router_interface", "network:router_gateway", "network:floatingip",
                  "network:dhcp", "network:distributed")


def not_found(model, resource_id: str) -> NotFound:
    kind = KIND_NAMES[model]
    label = {"FloatingIP": "Floating IP", "SecurityGroup": "Security group",
             "SecurityGroupRule": "Security group rule"}.get(kind, kind)
    return NotFound(f"{label} {resource_id} could not be found.", neutron_type=f"{kind}NotFound")


def scope(query, model, context: RequestContext):
    """Restrict ``query`` to what ``context`` may see (admin: everything)."""
    if hasattr(model, "deleting"):
        query = query.where(model.deleting.is_(False))
    if context.is_admin:
        return query
    if model is Network:
        return query.where(or_(Network.project_id == context.project_id,
                               Network.shared.is_(True), Network.external.is_(True)))
    if model is Subnet:
        shared = select(Network.id).where(or_(Network.shared.is_(True), Network.external.is_(True)))
        return query.where(or_(Subnet.project_id == context.project_id,
                               Subnet.network_id.in_(shared)))
    return query.where(model.project_id == context.project_id)


def visible(session: Session, context: RequestContext, model, resource_id: str):
    """The row ``resource_id`` when ``context`` may see it, else the kind's NotFound."""
    row = session.scalar(scope(select(model).where(model.id == resource_id), model, context))
    if row is None:
        raise not_found(model, resource_id)
    return row


def owned(session: Session, context: RequestContext, model, resource_id: str):
    """Like ``visible`` but the caller must also be allowed to change the row."""
    row = visible(session, context, model, resource_id)
    context.require_writer()
    if not context.owns(row.project_id):
        raise Forbidden(f"Policy does not allow this change to {KIND_NAMES[model]} "
                        f"{resource_id}: it belongs to another project.")
    return row


def owner_of_new(context: RequestContext, fields: dict) -> str:
    """The project a new resource belongs to: the caller's, or (admin only) the one asked."""
    return context.owner_of_new(fields, "a resource")


def revise(row, changes: dict) -> bool:
    """Apply ``changes`` to ``row``; bump its revision when something changed."""
    changed = False
    for name, value in changes.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        row.revision_number += 1
    return changed


def touch(row) -> None:
    """The host must converge ``row`` again."""
    row.generation += 1


def check_quota(session: Session, project_id: str, resource: str, wanted: int = 1) -> None:
    """Neutron's quota check: 409 OverQuota when ``wanted`` more would pass the limit."""
    try:
        quota.check(session, project_id, resource, usage(session, project_id, resource), wanted)
    except QuotaExceeded as exc:
        raise Conflict(f"Quota exceeded for resources: ['{resource}']. {exc.message}",
                       neutron_type="OverQuota") from None


def usage(session: Session, project_id: str, resource: str) -> int:
    model = QUOTA_RESOURCES[resource]
    query = select(func.count()).select_from(model).where(model.project_id == project_id)
    if hasattr(model, "deleting"):
        query = query.where(model.deleting.is_(False))
    return session.scalar(query) or 0
