"""JSON shapes of groups and events."""

from __future__ import annotations

from pocketstack.db.base import isotime
from pocketstack.db.models.autoscaling import ScalingEvent, ScalingGroup


def group_view(group: ScalingGroup, servers: list[dict]) -> dict:
    return {
        "id": group.id, "name": group.name, "project_id": group.project_id,
        "status": group.status, "status_reason": group.status_reason,
        "min_size": group.min_size, "max_size": group.max_size,
        "desired_size": group.desired_size,
        "current_size": sum(1 for s in servers if s["scaling_state"] == "in_service"),
        "server": dict(group.server_template), "metric": group.metric,
        "scale_out_cooldown": group.scale_out_cooldown,
        "scale_in_cooldown": group.scale_in_cooldown,
        "load_balancer": group.load_balancer, "drain_timeout": group.drain_timeout,
        "servers": servers, "last_metric": group.last_metric,
        "created_at": isotime(group.created_at), "updated_at": isotime(group.updated_at),
    }


def event_view(event: ScalingEvent) -> dict:
    return {
        "id": event.id, "created_at": _precise(event), "action": event.action,
        "from_size": event.from_size, "to_size": event.to_size, "metric": event.metric,
        "reason": event.reason,
    }


def _precise(event: ScalingEvent) -> str:
    """Events come many a second: milliseconds keep their order readable."""
    return event.created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
