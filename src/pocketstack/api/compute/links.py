"""Nova's links: ``self`` under /v2.1, ``bookmark`` without the version, ``next`` for paging."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request

from pocketstack.services.runtime import Cloud


def resource_links(cloud: Cloud, collection: str, item_id: str) -> list[dict]:
    return [
        {"rel": "self", "href": cloud.settings.url(f"compute/v2.1/{collection}/{item_id}")},
        {"rel": "bookmark", "href": cloud.settings.url(f"compute/{collection}/{item_id}")},
    ]


def collection_links(
    cloud: Cloud, request: Request, collection: str, items: list, last_id: str | None,
    limit: int | None, max_limit: int = 1000,
) -> list[dict]:
    """A ``next`` link when the page is full: the request's own query with a new marker."""
    page_size = min(limit, max_limit) if limit is not None else max_limit
    if not items or not page_size or len(items) != page_size:
        return []
    params = dict(sorted(request.query_params.items()))
    params["marker"] = last_id
    href = cloud.settings.url(f"compute/v2.1/{collection}") + "?" + urlencode(params)
    return [{"rel": "next", "href": href}]
