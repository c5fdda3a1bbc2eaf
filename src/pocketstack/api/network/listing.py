"""Neutron's list semantics over rendered resources: filters on any attribute, tags,
``sort_key``/``sort_dir``, ``marker``/``limit`` with ``<collection>_links``, ``fields``.

Services scope the rows in SQL (tenancy); the rest works on the rendered dicts because
Neutron filters on derived attributes too (``fixed_ips``, ``router:external``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request

from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.listing import parse_limit

CONTROL = {"fields", "sort_key", "sort_dir", "limit", "marker", "page_reverse", "all_tenants",
           "all_projects", "tags", "tags-any", "not-tags", "not-tags-any"}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _matches(actual, wanted: list[str]) -> bool:
    if isinstance(actual, bool):
        return _text(actual) in {w.lower() for w in wanted}
    if isinstance(actual, list):
        return any(_matches(item, wanted) for item in actual)
    return _text(actual) in wanted


def _matches_fixed_ips(fixed_ips: list[dict], wanted: list[str]) -> bool:
    for condition in wanted:
        key, _, value = condition.partition("=")
        if not any(_text(ip.get(key)) == value for ip in fixed_ips):
            return False
    return True


def _tags_match(tags: list[str], params) -> bool:
    def listed(name):
        return [t for value in params.getlist(name) for t in value.split(",") if t]

    every, some = listed("tags"), listed("tags-any")
    none_of_all, none_of_any = listed("not-tags"), listed("not-tags-any")
    return ((not every or set(every) <= set(tags))
            and (not some or bool(set(some) & set(tags)))
            and (not none_of_all or not set(none_of_all) <= set(tags))
            and (not none_of_any or not set(none_of_any) & set(tags)))


def keep(item: dict, params) -> bool:
    for key in set(params.keys()) - CONTROL:
        if key not in item:
            continue
        wanted = params.getlist(key)
        if key == "fixed_ips":
            if not _matches_fixed_ips(item[key], wanted):
                return False
        elif not _matches(item[key], wanted):
            return False
    return "tags" not in item or _tags_match(item["tags"], params)


def _sorted(items: list[dict], params) -> list[dict]:
    keys, dirs = params.getlist("sort_key"), params.getlist("sort_dir")
    for direction in dirs:
        if direction not in ("asc", "desc"):
            raise BadRequest(f"Invalid input for sort_dir: '{direction}' is not asc or desc.")
    if len(dirs) > len(keys):
        raise BadRequest("The number of sort_keys and sort_dirs must be the same.")
    for index in reversed(range(len(keys))):
        key = keys[index]
        if items and key not in items[0]:
            raise BadRequest(f"{key} is an invalid attribute for sort_keys.")
        descending = index < len(dirs) and dirs[index] == "desc"
        items = sorted(items, key=lambda i, k=key: (i[k] is not None, i[k] if i[k] is not None
                                                     else 0), reverse=descending)
    return items


def select_fields(item: dict, fields: list[str]) -> dict:
    wanted = [f for value in fields for f in value.split(",") if f]
    return {k: v for k, v in item.items() if k in wanted} if wanted else item


def _link(request: Request, rel: str, marker: str, reverse: bool) -> dict:
    params = [(k, v) for k, v in request.query_params.multi_items()
              if k not in ("marker", "page_reverse")]
    params.append(("marker", marker))
    if reverse:
        params.append(("page_reverse", "True"))
    return {"rel": rel, "href": f"{request.url.replace(query='')}?{urlencode(params)}"}


def respond(request: Request, collection: str, items: list[dict]) -> dict:
    """The body of a Neutron list call over ``items`` (already scoped to the caller)."""
    params = request.query_params
    items = _sorted([i for i in items if keep(i, params)], params)
    limit, marker = parse_limit(params.get("limit")), params.get("marker")
    reverse = params.get("page_reverse", "").lower() == "true"
    if reverse:
        items.reverse()
    if marker:
        index = next((n for n, item in enumerate(items) if item["id"] == marker), None)
        if index is None:
            raise NotFound(f"Marker {marker} could not be found.")
        items = items[index + 1:]
    page = items[:limit] if limit else items
    links = []
    if limit and len(page) == limit:
        links.append(_link(request, "previous" if reverse else "next", page[-1]["id"], reverse))
    if marker and page:
        links.append(_link(request, "next" if reverse else "previous", page[0]["id"],
                           not reverse))
    if reverse:
        page.reverse()
    body = {collection: [select_fields(i, params.getlist("fields")) for i in page]}
    if links:
        body[f"{collection}_links"] = links
    return body
