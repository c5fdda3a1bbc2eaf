"""/os-aggregates (admin): pocketstack has no host aggregates; the list is empty."""

from __future__ import annotations

from pocketstack.api.common import APIRouter, Caller
from pocketstack.errors import NotFound

router = APIRouter(prefix="/v2.1/os-aggregates", tags=["aggregates"])


@router.get("")
def list_aggregates(who: Caller):
    who.require_admin()
    return {"aggregates": []}


@router.get("/{aggregate_id}")
def show_aggregate(aggregate_id: str, who: Caller):
    who.require_admin()
    raise NotFound(f"Aggregate {aggregate_id} could not be found.")
