"""Autoscaling tables: groups, the servers each group owns, and the events it records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, HasId, Owned, Timestamps, utcnow


class ScalingGroup(HasId, Timestamps, Owned, Base):
    """A group's desired state: its template, bounds, metric and policy.

    ``desired_size`` is what the scaling reconciler converges the group's servers to; the
    API (resize) and the reconciler (decisions) write it. ``user_id`` is whose keypair the
    template names and on whose behalf servers are created.
    """

    __tablename__ = "scaling_groups"
    name: Mapped[str] = mapped_column(String(255), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE", index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    min_size: Mapped[int] = mapped_column(Integer)
    max_size: Mapped[int] = mapped_column(Integer)
    desired_size: Mapped[int] = mapped_column(Integer)
    server_template: Mapped[dict] = mapped_column(JSON)
    metric: Mapped[dict | None] = mapped_column(JSON, default=None)
    scale_out_cooldown: Mapped[float] = mapped_column(Float, default=5.0)
    scale_in_cooldown: Mapped[float] = mapped_column(Float, default=30.0)
    load_balancer: Mapped[dict | None] = mapped_column(JSON, default=None)
    drain_timeout: Mapped[float] = mapped_column(Float, default=30.0)
    last_metric: Mapped[float | None] = mapped_column(Float, default=None)
    last_scale_out_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    last_scaled_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class ScalingServer(Base):
    """A server a group made, and where it is in its life in the group.

    ``state``: ``booting`` (created, not ACTIVE yet) → ``in_service`` (ACTIVE; a pool
    member when the group has a pool) → ``draining`` (member at weight 0, admin down) →
    ``deleting`` (member removed, server delete asked) → row removed once the server is
    gone. No foreign key to ``servers``: a server deleted behind the group's back must
    leave this row so the reconciler can clean up its pool member and say so.
    """

    __tablename__ = "scaling_group_servers"
    server_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    group_id: Mapped[str] = mapped_column(
        ForeignKey("scaling_groups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="booting")
    member_id: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    drain_started_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class ScalingEvent(HasId, Base):
    """One decision or step of a group, with its reason in words."""

    __tablename__ = "scaling_events"
    group_id: Mapped[str] = mapped_column(
        ForeignKey("scaling_groups.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_size: Mapped[int | None] = mapped_column(Integer, default=None)
    to_size: Mapped[int | None] = mapped_column(Integer, default=None)
    metric: Mapped[float | None] = mapped_column(Float, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
