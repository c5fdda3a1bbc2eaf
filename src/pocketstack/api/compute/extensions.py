"""/extensions: Nova's v2.1 API has no extensions left to list."""

from __future__ import annotations

from pocketstack.api.common import APIRouter, Caller
from pocketstack.errors import NotFound

router = APIRouter(prefix="/v2.1/extensions", tags=["extensions"])


@router.get("")
def list_extensions(_who: Caller):
    return {"extensions": []}


@router.get("/{alias}")
def show_extension(alias: str, _who: Caller):
    raise NotFound(f"Extension {alias} could not be found.")
