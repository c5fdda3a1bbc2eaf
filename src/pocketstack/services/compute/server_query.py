"""Listing servers with Nova's filters, sorting and marker/limit paging."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, exists, false, or_, select
from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Server, ServerTag
from pocketstack.errors import BadRequest, Forbidden
from pocketstack.services import listing
from pocketstack.services.compute import server_states
from pocketstack.services.context import RequestContext
from pocketstack.services.network import for_compute as network

# Nova's sort keys mapped onto our columns; a valid Nova key we do not keep sorts by date.
SORT_COLUMNS = {
    "access_ip_v4": "access_ipv4", "access_ip_v6": "access_ipv6",
    "auto_disk_config": "disk_config", "availability_zone": "availability_zone",
    "config_drive": "config_drive", "created_at": "created_at",
    "display_description": "description", "display_name": "name", "host": "host",
    "hostname": "hostname", "image_ref": "image_id", "instance_type_id": "flavor_id",
    "key_name": "key_name", "launch_index": "launch_index", "launched_at": "launched_at",
    "locked_by": "locked", "node": "host", "power_state": "power_state",
    "progress": "progress", "project_id": "project_id", "task_state": "task_state",
    "updated_at": "updated_at", "user_id": "user_id", "uuid": "id", "vm_state": "vm_state",
    "kernel_id": "created_at", "ramdisk_id": "created_at", "root_device_name": "created_at",
    "terminated_at": "created_at", "vm_mode": "created_at",
}


@dataclass
class ServerFilters:
    all_projects: bool = False
    project_id: str | None = None
    name: str | None = None
    statuses: list[str] = field(default_factory=list)
    image_id: str | None = None
    flavor_id: str | None = None
    changes_since: datetime | None = None
    changes_before: datetime | None = None
    ip: str | None = None
    ip6: str | None = None
    reservation_id: str | None = None
    deleted: bool = False
    equals: dict = field(default_factory=dict)  # column → value (key_name, user_id, ...)
    tags: list[str] = field(default_factory=list)
    tags_any: list[str] = field(default_factory=list)
    not_tags: list[str] = field(default_factory=list)
    not_tags_any: list[str] = field(default_factory=list)


def list_servers(session: Session, context: RequestContext, filters: ServerFilters, *,
                 marker: str | None = None, limit: int | None = None,
                 sort_key: str = "created_at", descending: bool = True) -> list[Server]:
    """One page of the servers the caller may see that match ``filters``."""
    if filters.all_projects and not context.is_admin:
        raise Forbidden("Policy doesn't allow os_compute_api:servers:detail:get_all_tenants "
                        "to be performed.")
    query = _scoped(context, filters)
    if filters.deleted:
        return []  # deleted servers' rows are removed once the host confirmed cleanup
    query = _filtered(query, filters)
    if filters.name or filters.ip or filters.ip6:
        query = query.where(Server.id.in_(_regex_matches(session, query, filters)))
    if marker and session.get(Server, marker) is None:
        raise BadRequest(f"marker [{marker}] not found")
    if sort_key not in SORT_COLUMNS:
        raise BadRequest(f"Invalid sort key: {sort_key}")
    return listing.page(session, query, Server, marker=marker, limit=limit,
                        sort_key=SORT_COLUMNS[sort_key], descending=descending)


def _scoped(context: RequestContext, filters: ServerFilters) -> Select:
    query = select(Server)
    if filters.all_projects:
        if filters.project_id:
            query = query.where(Server.project_id == filters.project_id)
        return query
    return query.where(Server.project_id == context.require_project())


def _filtered(query: Select, filters: ServerFilters) -> Select:
    if filters.statuses:
        query = query.where(or_(*(_status_condition(status) for status in filters.statuses)))
    for column, value in (("image_id", filters.image_id), ("flavor_id", filters.flavor_id),
                          ("reservation_id", filters.reservation_id), *filters.equals.items()):
        if value is not None:
            query = query.where(getattr(Server, column) == value)
    if filters.changes_since:
        query = query.where(Server.updated_at >= filters.changes_since)
    if filters.changes_before:
        query = query.where(Server.updated_at <= filters.changes_before)
    return _tag_filtered(query, filters)


def _status_condition(status: str):
    vm_state, task_states = server_states.states_for_status(status)
    if vm_state is None:
        return false()
    condition = Server.vm_state == vm_state
    if task_states:
        return condition & Server.task_state.in_(task_states)
    if vm_state == server_states.ACTIVE:
        rebooting = (server_states.REBOOTING, server_states.REBOOTING_HARD)
        return condition & (Server.task_state.is_(None) | Server.task_state.not_in(rebooting))
    return condition


def _has_tag(tag: str):
    return exists().where(ServerTag.server_id == Server.id, ServerTag.tag == tag)


def _tag_filtered(query: Select, filters: ServerFilters) -> Select:
    for tag in filters.tags:
        query = query.where(_has_tag(tag))
    if filters.tags_any:
        query = query.where(exists().where(ServerTag.server_id == Server.id,
                                           ServerTag.tag.in_(filters.tags_any)))
    if filters.not_tags:
        query = query.where(~(_all_tags(filters.not_tags)))
    for tag in filters.not_tags_any:
        query = query.where(~_has_tag(tag))
    return query


def _all_tags(tags: list[str]):
    condition = _has_tag(tags[0])
    for tag in tags[1:]:
        condition = condition & _has_tag(tag)
    return condition


def _regex_matches(session: Session, query: Select, filters: ServerFilters) -> list[str]:
    """IDs among ``query``'s servers whose name / fixed IPs match the filters' regexes
    (Python regular expressions searched anywhere, as Nova does on SQLite)."""
    rows = session.execute(query.with_only_columns(Server.id, Server.name)).all()
    if filters.name:
        name = _compile(filters.name, "name")
        rows = [row for row in rows if name.search(row.name)]
    for wanted, version in ((filters.ip, 4), (filters.ip6, 6)):
        if wanted:
            pattern = _compile(wanted, "ip")
            addresses = network.server_addresses(session, [row.id for row in rows])
            rows = [row for row in rows
                    if _any_address(addresses.get(row.id, {}), pattern, version)]
    return [row.id for row in rows]


def _any_address(addresses: dict, pattern: re.Pattern, version: int) -> bool:
    return any(entry.get("version") == version and entry.get("OS-EXT-IPS:type", "fixed") == "fixed"
               and pattern.search(entry["addr"])
               for entries in addresses.values() for entry in entries)


def _compile(pattern: str, field_name: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error:
        raise BadRequest(f"Invalid regular expression for filter {field_name}: "
                         f"{pattern!r}") from None
