"""How a server looks at each microversion (``GET /servers/{id}`` and friends)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.api.compute.microversion import Version
from pocketstack.db.base import isotime
from pocketstack.db.models.compute import Server, ServerTag
from pocketstack.db.models.network import Port
from pocketstack.services.compute import server_groups
from pocketstack.services.compute.server_states import status_of
from pocketstack.services.network import for_compute as network
from pocketstack.services.runtime import Cloud

PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")


@dataclass(frozen=True)
class Related:
    """What server views show beyond the row, fetched once for a whole page."""

    addresses: dict[str, dict]
    security_groups: dict[str, list[str]]
    tags: dict[str, list[str]]
    server_groups: dict[str, list[str]] = field(default_factory=dict)


def load_related(session: Session, servers: list[Server], *, tags: bool = True,
                 groups: bool = True) -> Related:
    """Batch queries for a page (never one per server). The network lookups run only
    for servers that have a compute port; tags (shown from 2.26) only with ``tags``,
    server groups (shown by show and update from 2.71) only with ``groups``: a list of
    servers without NICs at an old version costs one query."""
    ids = [server.id for server in servers]
    found: dict[str, list[str]] = {}
    if ids and tags:
        for server_id, tag in session.execute(
                select(ServerTag.server_id, ServerTag.tag).where(ServerTag.server_id.in_(ids))):
            found.setdefault(server_id, []).append(tag)
    wired = _with_ports(session, ids)
    return Related(network.server_addresses(session, wired) if wired else {},
                   network.server_security_groups(session, wired) if wired else {}, found,
                   server_groups.groups_of(session, ids) if ids and groups else {})


def _with_ports(session: Session, ids: list[str]) -> list[str]:
    if not ids:
        return []
    return list(session.scalars(select(Port.device_id).distinct().where(
        Port.device_id.in_(ids), Port.device_owner.like("compute:%"))))


def nova_time(value) -> str | None:
    """Nova prints launched_at with microseconds and no zone."""
    return value.isoformat(timespec="microseconds") if value else None


def _isotime(value) -> str | None:
    """``isotime`` for the naive UTC datetimes the store returns, ~2x quicker."""
    if value is None or value.tzinfo is not None:
        return isotime(value)
    return value.isoformat(timespec="seconds") + "Z"


class ServerView:
    """Renders servers for one request. A list renders every server of a page with the
    same view, so what depends only on the version, the caller and the settings (version
    checks, link prefixes) is worked out once here, not per server."""

    def __init__(self, cloud: Cloud, version: Version, is_admin: bool) -> None:
        self.cloud, self.version, self.is_admin = cloud, version, is_admin
        self._at = {text: version.at_least(text) for text in (
            "2.3", "2.9", "2.16", "2.19", "2.26", "2.47", "2.63", "2.71", "2.73", "2.75")}
        self._self_url = cloud.settings.url("compute/v2.1/")
        self._bookmark_url = cloud.settings.url("compute/")
        self._host_ids: dict[tuple[str, str], str] = {}

    def _links(self, kind: str, item_id: str) -> list[dict]:
        return [{"rel": "self", "href": f"{self._self_url}{kind}/{item_id}"},
                {"rel": "bookmark", "href": f"{self._bookmark_url}{kind}/{item_id}"}]

    def _bookmark(self, kind: str, item_id: str) -> list[dict]:
        return [{"rel": "bookmark", "href": f"{self._bookmark_url}{kind}/{item_id}"}]

    def summary(self, server: Server) -> dict:
        return {"id": server.id, "name": server.name, "links": self._links("servers", server.id)}

    def created(self, server: Server, security_groups: list[str] | None) -> dict:
        """The answer to POST /servers: no adminPass, since instance passwords are not set."""
        return {"id": server.id, "links": self._links("servers", server.id),
                "OS-DCF:diskConfig": server.disk_config,
                "security_groups": [{"name": name} for name in security_groups or ["default"]]}

    def full(self, server: Server, related: Related, *, show_server_groups: bool = False) -> dict:
        """``GET /servers/{id}`` and each entry of ``/servers/detail``."""
        body = self.basic(server, related, extended_addresses=True)
        body.update(self._extensions(server, related))
        if self.is_admin:
            body.update(self._admin_attributes(server))
        if show_server_groups and self._at["2.71"]:
            body["server_groups"] = related.server_groups.get(server.id, [])
        return body

    def updated(self, server: Server, related: Related) -> dict:
        """``PUT /servers/{id}``: the basic view before 2.75, the full view from it."""
        if self._at["2.75"]:
            return self.full(server, related, show_server_groups=True)
        body = self.basic(server, related, extended_addresses=False)
        if self._at["2.71"]:
            body["server_groups"] = related.server_groups.get(server.id, [])
        return body

    def basic(self, server: Server, related: Related, *, extended_addresses: bool) -> dict:
        status = status_of(server.vm_state, server.task_state)
        body = {
            "id": server.id, "name": server.name, "status": status,
            "tenant_id": server.project_id, "user_id": server.user_id,
            "metadata": dict(server.server_metadata or {}), "hostId": self._host_id(server),
            "image": self._image(server), "flavor": self._flavor(server),
            "created": _isotime(server.created_at), "updated": _isotime(server.updated_at),
            "addresses": self.addresses(related.addresses.get(server.id, {}),
                                        extended=extended_addresses),
            "accessIPv4": server.access_ipv4, "accessIPv6": server.access_ipv6,
            "links": self._links("servers", server.id),
            "OS-DCF:diskConfig": server.disk_config,
        }
        if status in PROGRESS_STATUSES:
            body["progress"] = server.progress
        if server.fault and status == "ERROR":
            body["fault"] = self._fault(server.fault)
        body.update(self._versioned(server, related))
        return body

    def _versioned(self, server: Server, related: Related) -> dict:
        body: dict = {}
        at = self._at
        if at["2.9"]:
            body["locked"] = server.locked
        if at["2.19"]:
            body["description"] = server.description
        if at["2.26"]:
            body["tags"] = sorted(related.tags.get(server.id, []))
        if at["2.63"]:
            body["trusted_image_certificates"] = None
        if at["2.73"]:
            body["locked_reason"] = server.locked_reason
        return body

    def _extensions(self, server: Server, related: Related) -> dict:
        body = {
            "OS-EXT-AZ:availability_zone": server.availability_zone,
            "config_drive": server.config_drive, "key_name": server.key_name,
            "OS-SRV-USG:launched_at": nova_time(server.launched_at),
            "OS-SRV-USG:terminated_at": None,
            "security_groups": [{"name": name}
                                for name in related.security_groups.get(server.id, [])],
            "OS-EXT-STS:task_state": server.task_state,
            "OS-EXT-STS:vm_state": server.vm_state,
            "OS-EXT-STS:power_state": server.power_state,
            "os-extended-volumes:volumes_attached": [],
        }
        if not body["security_groups"]:
            del body["security_groups"]
        if self.is_admin and self._at["2.16"]:
            body["host_status"] = "UP" if server.host else ""
        return body

    def _admin_attributes(self, server: Server) -> dict:
        body = {
            "OS-EXT-SRV-ATTR:host": server.host,
            "OS-EXT-SRV-ATTR:instance_name": f"instance-{server.id[:8]}",
            "OS-EXT-SRV-ATTR:hypervisor_hostname": server.host,
        }
        if self._at["2.3"]:
            body.update({
                "OS-EXT-SRV-ATTR:reservation_id": server.reservation_id,
                "OS-EXT-SRV-ATTR:launch_index": server.launch_index,
                "OS-EXT-SRV-ATTR:hostname": server.hostname,
                "OS-EXT-SRV-ATTR:kernel_id": "", "OS-EXT-SRV-ATTR:ramdisk_id": "",
                "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
                "OS-EXT-SRV-ATTR:user_data": server.user_data,
            })
        return body

    def _host_id(self, server: Server) -> str:
        host = server.host
        if not host:
            return ""
        key = (server.project_id, host)
        found = self._host_ids.get(key)
        if found is None:
            found = self._host_ids[key] = hashlib.sha224("".join(key).encode()).hexdigest()
        return found

    def _image(self, server: Server) -> dict | str:
        if not server.image_id:
            return ""
        return {"id": server.image_id, "links": self._bookmark("images", server.image_id)}

    def _flavor(self, server: Server) -> dict:
        if not self._at["2.47"]:
            return {"id": server.flavor_id, "links": self._bookmark("flavors", server.flavor_id)}
        flavor = server.flavor or {}
        return {"vcpus": flavor.get("vcpus", 0), "ram": flavor.get("ram", 0),
                "disk": flavor.get("disk", 0), "ephemeral": flavor.get("ephemeral", 0),
                "swap": flavor.get("swap", 0), "original_name": flavor.get("name", ""),
                "extra_specs": dict(flavor.get("extra_specs", {}))}

    def _fault(self, fault: dict) -> dict:
        body = {"code": fault.get("code", 500), "created": fault.get("created"),
                "message": fault.get("message", "")}
        if fault.get("details") and (self.is_admin or body["code"] != 500):
            body["details"] = fault["details"]
        return body

    @staticmethod
    def addresses(addresses: dict, *, extended: bool = True) -> dict:
        if extended:
            return {label: [dict(entry) for entry in entries]
                    for label, entries in addresses.items()}
        return {label: [{"addr": entry["addr"], "version": entry["version"]}
                        for entry in entries] for label, entries in addresses.items()}
