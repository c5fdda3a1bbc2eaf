"""Query-string rules Nova applies per microversion."""

from __future__ import annotations

from fastapi import Request

from pocketstack.api.compute.microversion import Version
from pocketstack.errors import BadRequest

STRICT_FROM = "2.75"


def reject_unknown(request: Request, version: Version, allowed: set[str]) -> None:
    """From 2.75 Nova refuses query parameters a call does not define; before, it ignores them."""
    if not version.at_least(STRICT_FROM):
        return
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise BadRequest(f"Invalid input for query parameters {unknown[0]}. Additional "
                         f"properties are not allowed ({names} unexpected).")
