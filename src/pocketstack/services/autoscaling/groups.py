"""Scaling groups: create, read, change, resize and delete (desired state only).

The API writes a group's desired state here and wakes the agent; the scaling reconciler
(``agent/scaling.py``) reads its metric, decides, and converges its servers.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.autoscaling import ScalingGroup, ScalingServer
from pocketstack.db.models.compute import Server
from pocketstack.errors import BadRequest, Conflict, NotFound, QuotaExceeded
from pocketstack.services import listing, quota
from pocketstack.services.autoscaling import events, lifecycle, validation
from pocketstack.services.autoscaling.decide import SCALE_IN, SCALE_OUT
from pocketstack.services.compute.server_states import status_of
from pocketstack.services.context import RequestContext

ACTIVE, SCALING, ERROR, DELETING = "ACTIVE", "SCALING", "ERROR", "DELETING"
SECONDS = ("scale_out_cooldown", "scale_in_cooldown", "drain_timeout")
QUOTA_RESOURCE, DEFAULT_QUOTA = "scaling_groups", 10


def get_group(session: Session, context: RequestContext, group_id: str) -> ScalingGroup:
    """The group, if the caller may see it; NotFound (never Forbidden) otherwise."""
    group = session.get(ScalingGroup, group_id)
    if group is None or not context.owns(group.project_id):
        raise NotFound(f"Scaling group {group_id} could not be found.")
    return group


def _writable(session: Session, context: RequestContext, group_id: str) -> ScalingGroup:
    context.require_writer()
    group = get_group(session, context, group_id)
    if group.status == DELETING:
        raise Conflict(f"Scaling group {group_id} is being deleted.")
    return group


def list_groups(session: Session, context: RequestContext, *, all_projects: bool = False,
                marker: str | None = None, limit: int | None = None) -> list[ScalingGroup]:
    query = select(ScalingGroup)
    if not (all_projects and context.is_admin):
        query = query.where(ScalingGroup.project_id == context.require_project())
    return listing.page(session, query, ScalingGroup, marker=marker, limit=limit)


def create_group(session: Session, context: RequestContext, fields: dict) -> ScalingGroup:
    """Validate everything as the caller, then write the group at ``min_size`` servers."""
    context.require_writer()
    project_id = context.require_project()
    name = validation.check_name(fields["name"])
    _check_unique(session, project_id, name)
    _check_quota(session, project_id)
    validation.check_bounds(fields["min_size"], fields["max_size"])
    load_balancer = validation.check_load_balancer(session, context, fields.get("load_balancer"))
    group = ScalingGroup(
        name=name, project_id=project_id, user_id=context.user_id,
        min_size=fields["min_size"], max_size=fields["max_size"], desired_size=fields["min_size"],
        server_template=validation.check_template(session, context, fields["server"]),
        metric=validation.check_metric(session, context, fields.get("metric"), load_balancer),
        load_balancer=load_balancer,
        status=SCALING if fields["min_size"] else ACTIVE,
        **{key: validation.check_seconds(key, fields[key]) for key in SECONDS if key in fields},
    )
    session.add(group)
    session.flush()
    if group.min_size:
        events.record(session, group, SCALE_OUT, f"group created: min_size {group.min_size}",
                      from_size=0, to_size=group.min_size)
    return group


def _check_unique(session: Session, project_id: str, name: str) -> None:
    taken = session.scalar(select(ScalingGroup.id).where(ScalingGroup.project_id == project_id,
                                                         ScalingGroup.name == name))
    if taken is not None:
        raise Conflict(f"A scaling group named {name} already exists in this project.")


def _check_quota(session: Session, project_id: str) -> None:
    """At most ``scaling_groups`` groups (default ``DEFAULT_QUOTA``) per project, those
    being deleted not counted: each group's metric is read by the host every second."""
    limit = quota.limits(session, project_id).get(QUOTA_RESOURCE, DEFAULT_QUOTA)
    used = session.scalar(select(func.count()).select_from(ScalingGroup).where(
        ScalingGroup.project_id == project_id, ScalingGroup.status != DELETING)) or 0
    if limit != quota.UNLIMITED and used >= limit:
        raise QuotaExceeded(f"Quota exceeded for {QUOTA_RESOURCE}: requested 1, but already "
                            f"used {used} of {limit} {QUOTA_RESOURCE}.")


def update_group(session: Session, context: RequestContext, group_id: str,
                 changes: dict) -> ScalingGroup:
    """Change bounds, metric, cooldowns, drain timeout, name or the server template (new
    servers use it; running ones stay as they are)."""
    group = _writable(session, context, group_id)
    if "name" in changes and changes["name"] != group.name:
        _check_unique(session, group.project_id, validation.check_name(changes["name"]))
        group.name = changes["name"]
    min_size = changes.get("min_size", group.min_size)
    max_size = changes.get("max_size", group.max_size)
    validation.check_bounds(min_size, max_size)
    group.min_size, group.max_size = min_size, max_size
    if "metric" in changes:
        group.metric = validation.check_metric(session, lifecycle.acting_for(group),
                                               changes["metric"], group.load_balancer)
    if "server" in changes:  # checked as whom servers boot as: the creator's key pairs
        group.server_template = validation.check_template(
            session, lifecycle.acting_for(group), changes["server"])
    for key in SECONDS:
        if key in changes:
            setattr(group, key, validation.check_seconds(key, changes[key]))
    group.updated_at = utcnow()
    return group


def resize_group(session: Session, context: RequestContext, group_id: str,
                 desired_size: int) -> ScalingGroup:
    """Set the size by hand. It counts as a scaling for the cooldowns, so the metric
    takes over again only after them."""
    group = _writable(session, context, group_id)
    if not group.min_size <= desired_size <= group.max_size:
        raise BadRequest(f"desired_size must be between min_size ({group.min_size}) and "
                         f"max_size ({group.max_size}); change them first with PUT.")
    if desired_size == group.desired_size:
        return group
    action = SCALE_OUT if desired_size > group.desired_size else SCALE_IN
    events.record(session, group, action, f"resized by hand by {context.user_name}",
                  from_size=group.desired_size, to_size=desired_size)
    now = utcnow()
    if action == SCALE_OUT:
        group.last_scale_out_at = now
    group.desired_size, group.last_scaled_at, group.status = desired_size, now, SCALING
    return group


def delete_group(session: Session, context: RequestContext, group_id: str) -> None:
    """Ask for the group to go: the reconciler drains and deletes its servers, then
    removes the group (and its events)."""
    group = _writable(session, context, group_id)
    if group.desired_size:
        events.record(session, group, SCALE_IN, "group deleted",
                      from_size=group.desired_size, to_size=0)
    group.status, group.desired_size = DELETING, 0


def servers_of(session: Session, group_ids: list[str]) -> dict[str, list[dict]]:
    """Each group's servers: ``{"id", "name", "status", "member_id", "scaling_state"}``,
    oldest first; ``status`` is the server's Nova status (DELETED once it is gone)."""
    found: dict[str, list[dict]] = {group_id: [] for group_id in group_ids}
    rows = session.execute(
        select(ScalingServer, Server.vm_state, Server.task_state)
        .outerjoin(Server, Server.id == ScalingServer.server_id)
        .where(ScalingServer.group_id.in_(group_ids))
        .order_by(ScalingServer.created_at, ScalingServer.server_id))
    for member, vm_state, task_state in rows:
        status = status_of(vm_state, task_state) if vm_state else "DELETED"
        found[member.group_id].append({
            "id": member.server_id, "name": member.name, "status": status,
            "member_id": member.member_id, "scaling_state": member.state})
    return found
