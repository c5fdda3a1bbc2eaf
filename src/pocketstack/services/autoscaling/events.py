"""A group's events: every decision and step, newest first, with its reason in words."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.db.base import utcnow
from pocketstack.db.models.autoscaling import ScalingEvent, ScalingGroup
from pocketstack.services import listing

ACTIONS = ("scale_out", "scale_in", "member_join", "member_drain", "member_remove",
           "server_create", "server_delete", "error")
KEEP = 1000  # events kept per group; older ones are dropped
REPEAT_AFTER = 60.0


def record(session: Session, group: ScalingGroup, action: str, reason: str, *,
           from_size: int | None = None, to_size: int | None = None,
           metric: float | None = None) -> ScalingEvent | None:
    """Add an event. An ``error`` whose reason equals the group's latest error of the
    last ``REPEAT_AFTER`` s is not added again (an unreadable metric would otherwise add
    one a second)."""
    assert action in ACTIONS, action
    now = utcnow()
    if action == "error":
        latest = session.scalar(select(ScalingEvent.reason).where(
            ScalingEvent.group_id == group.id, ScalingEvent.action == "error",
            ScalingEvent.created_at > now - timedelta(seconds=REPEAT_AFTER))
            .order_by(ScalingEvent.created_at.desc()).limit(1))
        if latest == reason:
            return None
    event = ScalingEvent(group_id=group.id, action=action, reason=reason, from_size=from_size,
                         to_size=to_size, metric=metric, created_at=now)
    session.add(event)
    session.flush()
    _trim(session, group.id)
    return event


def _trim(session: Session, group_id: str) -> None:
    cutoff = session.scalar(select(ScalingEvent.created_at)
                            .where(ScalingEvent.group_id == group_id)
                            .order_by(ScalingEvent.created_at.desc()).offset(KEEP).limit(1))
    if cutoff is not None:
        session.execute(delete(ScalingEvent).where(ScalingEvent.group_id == group_id,
                                                   ScalingEvent.created_at <= cutoff))


def list_events(session: Session, group: ScalingGroup, *, marker: str | None = None,
                limit: int | None = None) -> list[ScalingEvent]:
    """One page of ``group``'s events, newest first; ``marker`` is an event ID."""
    query = select(ScalingEvent).where(ScalingEvent.group_id == group.id)
    return listing.page(session, query, ScalingEvent, marker=marker, limit=limit,
                        descending=True)
