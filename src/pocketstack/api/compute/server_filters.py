"""``GET /servers`` query parameters → ServerFilters, sort and page, per microversion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.datastructures import QueryParams

from pocketstack.api.compute.microversion import Version
from pocketstack.api.compute.server_requests import BOOLEAN_TEXT, last_segment
from pocketstack.errors import BadRequest
from pocketstack.services.compute.server_query import ServerFilters
from pocketstack.services.compute.server_states import KNOWN_STATUSES
from pocketstack.services.context import RequestContext
from pocketstack.services.listing import parse_limit

# Filters only an admin may use, as Nova's policy has it; others drop them silently.
ADMIN_EQUALS = {"user_id": "user_id", "key_name": "key_name", "hostname": "hostname",
                "availability_zone": "availability_zone", "uuid": "id", "host": "host",
                "node": "host", "vm_state": "vm_state", "task_state": "task_state"}
KNOWN = {
    "all_tenants", "project_id", "tenant_id", "name", "status", "image", "flavor",
    "changes-since", "changes-before", "ip", "ip6", "reservation_id", "deleted", "tags",
    "tags-any", "not-tags", "not-tags-any", "sort_key", "sort_dir", "limit", "marker",
    "locked", "soft_deleted", "display_name", "description", "display_description",
    "image_ref", "launch_index", "power_state", "config_drive", "access_ip_v4",
    "access_ip_v6", "auto_disk_config", "progress", "kernel_id", "ramdisk_id",
    "launched_at", "terminated_at", "root_device_name", "locked_by", "created_at",
    *ADMIN_EQUALS,
}


@dataclass(frozen=True)
class ListQuery:
    filters: ServerFilters
    marker: str | None
    limit: int | None
    sort_key: str
    descending: bool
    nothing: bool = False  # an unknown status before 2.38: the answer is an empty list


def parse_list(params: QueryParams, version: Version, context: RequestContext) -> ListQuery:
    if version.at_least("2.75"):
        unknown = sorted(set(params) - KNOWN)
        if unknown:
            raise BadRequest(f"Invalid input for query parameters {unknown[0]}. "
                             "Additional properties are not allowed.")
    filters = ServerFilters(
        all_projects=all_tenants(params),
        project_id=params.get("project_id") or params.get("tenant_id"),
        name=params.get("name") or params.get("display_name"),
        image_id=last_segment(params["image"]) if params.get("image") else None,
        flavor_id=last_segment(params["flavor"]) if params.get("flavor") else None,
        changes_since=timestamp(params, "changes-since"),
        changes_before=timestamp(params, "changes-before") if version.at_least("2.66") else None,
        ip=params.get("ip"), ip6=params.get("ip6"),
        reservation_id=params.get("reservation_id"),
        deleted=context.is_admin and flag(params, "deleted"),
    )
    if version.at_least("2.26"):
        for attribute, key in (("tags", "tags"), ("tags_any", "tags-any"),
                               ("not_tags", "not-tags"), ("not_tags_any", "not-tags-any")):
            setattr(filters, attribute, comma_list(params, key))
    if context.is_admin:
        filters.equals = {column: params[key] for key, column in ADMIN_EQUALS.items()
                          if params.get(key)}
    if version.at_least("2.73") and "locked" in params:
        filters.equals["locked"] = flag(params, "locked")
    statuses, nothing = status_filter(params, version)
    filters.statuses = statuses
    sort_key, descending = sort(params)
    return ListQuery(filters, params.get("marker"), parse_limit(params.get("limit")),
                     sort_key, descending, nothing)


def all_tenants(params: QueryParams) -> bool:
    if "all_tenants" not in params:
        return False
    return flag(params, "all_tenants", empty=True)


def flag(params: QueryParams, key: str, *, empty: bool = False) -> bool:
    value = params.get(key)
    if value is None:
        return False
    if value == "":
        return empty
    if value.lower() not in BOOLEAN_TEXT:
        raise BadRequest(f"Invalid input for query parameters {key}. Value: {value}. "
                         "It must be a boolean.")
    return BOOLEAN_TEXT[value.lower()]


def timestamp(params: QueryParams, key: str) -> datetime | None:
    value = params.get(key)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"Invalid input for query parameters {key}. Value: {value}. "
                         f"'{value}' is not a 'date-time'") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def comma_list(params: QueryParams, key: str) -> list[str]:
    value = params.get(key)
    return [tag for tag in value.split(",") if tag] if value else []


def status_filter(params: QueryParams, version: Version) -> tuple[list[str], bool]:
    statuses = [value.upper() for value in params.getlist("status") if value]
    unknown = [status for status in statuses if status not in KNOWN_STATUSES]
    if unknown and version.at_least("2.38"):
        raise BadRequest("Invalid status value")
    return [status for status in statuses if status in KNOWN_STATUSES], bool(unknown)


def sort(params: QueryParams) -> tuple[str, bool]:
    keys = params.getlist("sort_key")
    directions = params.getlist("sort_dir")
    for direction in directions:
        if direction not in ("asc", "desc"):
            raise BadRequest("Invalid sort direction")
    return (keys[0] if keys else "created_at"), (directions[0] != "asc" if directions else True)
