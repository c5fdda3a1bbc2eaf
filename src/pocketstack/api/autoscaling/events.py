"""/v1/groups/{id}/events: what a group decided and did, newest first."""

from __future__ import annotations

from pocketstack.api.autoscaling.views import event_view
from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.services import listing
from pocketstack.services.autoscaling import events, groups

router = APIRouter(prefix="/v1/groups", tags=["events"])


@router.get("/{group_id}/events")
def list_events(group_id: str, cloud: CloudDep, context: Caller, limit: str | None = None,
                marker: str | None = None) -> dict:
    with cloud.db.session() as session:
        group = groups.get_group(session, context, group_id)
        found = events.list_events(session, group, marker=marker,
                                   limit=listing.parse_limit(limit))
        return {"events": [event_view(event) for event in found]}
