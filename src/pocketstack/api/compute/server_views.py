"""How a server looks at each microversion (``GET /servers/{id}`` and friends)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.api.compute.microversion import Version
from pocketstack.db.base import isotime
from pocketstack.db.models.compute import Server, ServerTag
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


def load_related(session: Session, servers: list[Server]) -> Related:
    ids = [server.id for server in servers]
    tags: dict[str, list[str]] = {}
    rows = session.scalars(select(ServerTag).where(ServerTag.server_id.in_(ids))) if ids else []
    for row in rows:
        tags.setdefault(row.server_id, []).append(row.tag)
    return Related(network.server_addresses(session, ids) if ids else {},
                   network.server_security_groups(session, ids) if ids else {}, tags,
                   server_groups.groups_of(session, ids))


def nova_time(value) -> str | None:
    """Nova prints launched_at with microseconds and no zone."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


class ServerView:
    def __init__(self, cloud: Cloud, version: Version, is_admin: bool) -> None:
        self.cloud, self.version, self.is_admin = cloud, version, is_admin

    def _links(self, kind: str, item_id: str) -> list[dict]:
        settings = self.cloud.settings
        return [{"rel": "self", "href": settings.url(f"compute/v2.1/{kind}/{item_id}")},
                {"rel": "bookmark", "href": settings.url(f"compute/{kind}/{item_id}")}]

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
        if self.version.at_least("2.71") and show_server_groups:
            body["server_groups"] = related.server_groups.get(server.id, [])
        return body

    def updated(self, server: Server, related: Related) -> dict:
        """``PUT /servers/{id}``: the basic view before 2.75, the full view from it."""
        if self.version.at_least("2.75"):
            return self.full(server, related, show_server_groups=True)
        body = self.basic(server, related, extended_addresses=False)
        if self.version.at_least("2.71"):
            body["server_groups"] = related.server_groups.get(server.id, [])
        return body

    def basic(self, server: Server, related: Related, *, extended_addresses: bool) -> dict:
        status = status_of(server.vm_state, server.task_state)
        body = {
            "id": server.id, "name": server.name, "status": status,
            "tenant_id": server.project_id, "user_id": server.user_id,
            "metadata": dict(server.server_metadata or {}), "hostId": self._host_id(server),
            "image": self._image(server), "flavor": self._flavor(server),
            "created": isotime(server.created_at), "updated": isotime(server.updated_at),
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
        if self.version.at_least("2.9"):
            body["locked"] = server.locked
        if self.version.at_least("2.19"):
            body["description"] = server.description
        if self.version.at_least("2.26"):
            body["tags"] = sorted(related.tags.get(server.id, []))
        if self.version.at_least("2.63"):
            body["trusted_image_certificates"] = None
        if self.version.at_least("2.73"):
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
        if self.is_admin and self.version.at_least("2.16"):
            body["host_status"] = "UP" if server.host else ""
        return body

    def _admin_attributes(self, server: Server) -> dict:
        body = {
            "OS-EXT-SRV-ATTR:host": server.host,
            "OS-EXT-SRV-ATTR:instance_name": f"instance-{server.id[:8]}",
            "OS-EXT-SRV-ATTR:hypervisor_hostname": server.host,
        }
        if self.version.at_least("2.3"):
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
        if not server.host:
            return ""
        return hashlib.sha224((server.project_id + server.host).encode()).hexdigest()

    def _image(self, server: Server) -> dict | str:
        if not server.image_id:
            return ""
        return {"id": server.image_id, "links": self._links("images", server.image_id)[1:]}

    def _flavor(self, server: Server) -> dict:
        flavor = server.flavor or {}
        if not self.version.at_least("2.47"):
            return {"id": server.flavor_id, "links": self._links("flavors", server.flavor_id)[1:]}
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
