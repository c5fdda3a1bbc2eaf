"""Servers: create (desired state BUILD), read, rename, delete (desired state deleting).

The API writes desired state here and wakes the agent; the server reconciler
(``agent/servers.py``) converges the host and reports back.
"""

from __future__ import annotations

import re
import secrets
import string

from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Server, ServerTag
from pocketstack.errors import BadRequest, Conflict, NotFound
from pocketstack.services.compute import boot, instance_actions, server_groups, server_states
from pocketstack.services.compute.boot import BootRequest
from pocketstack.services.context import RequestContext
from pocketstack.services.image import for_compute as images
from pocketstack.services.network import for_compute as network


def get_server(session: Session, context: RequestContext, server_id: str) -> Server:
    """The server, if the caller may see it; NotFound (never Forbidden) otherwise."""
    server = session.get(Server, server_id)
    if server is None or not context.owns(server.project_id):
        raise NotFound(f"Instance {server_id} could not be found.")
    return server


def get_writable(session: Session, context: RequestContext, server_id: str) -> Server:
    """The server for a change: needs a writer, and a locked server refuses non-admins."""
    context.require_writer()
    server = get_server(session, context, server_id)
    if server.locked and not context.is_admin:
        raise Conflict(f"Instance {server.id} is locked")
    return server


def create_servers(session: Session, context: RequestContext, request: BootRequest) -> list[Server]:
    """Validate everything, then write ``count`` servers in BUILD with their ports."""
    context.require_writer()
    project_id = context.require_project()
    flavor = boot.flavor_for_boot(session, context, request.flavor_ref)
    if not request.image_id:
        raise BadRequest("Missing imageRef attribute")
    image = images.image_for_boot(session, context, request.image_id)
    boot.check_image_fits(flavor, image.min_ram, image.min_disk)
    keypair = boot.keypair_for_boot(session, context, request.key_name) if request.key_name else None
    boot.check_availability_zone(request.availability_zone)
    boot.check_metadata(session, project_id, request.metadata)
    count = boot.servers_allowed(session, project_id, flavor, request.min_count,
                                 request.max_count)
    nics = network.plan_server_nics(session, context, request.networks,
                                    request.security_groups, count)
    group = (server_groups.group_for_boot(session, context, request.server_group, count)
             if request.server_group else None)
    fault = server_groups.placement_fault(session, group, count) if group else None
    reservation_id = new_reservation_id()
    servers = []
    for index in range(count):
        name = f"{request.name}-{index + 1}" if count > 1 else request.name
        server = Server(
            name=name, project_id=project_id, user_id=context.user_id,
            hostname=sanitize_hostname(name), description=request.description,
            vm_state=server_states.BUILDING, task_state=server_states.SCHEDULING,
            flavor_id=flavor.id, flavor=boot.flavor_copy(flavor), image_id=image.id,
            key_name=keypair.name if keypair else None,
            key_data=keypair.public_key if keypair else None,
            user_data=request.user_data, server_metadata=dict(request.metadata),
            availability_zone="nova", access_ipv4=request.access_ipv4,
            access_ipv6=request.access_ipv6, config_drive="True" if request.config_drive else "",
            disk_config=request.disk_config, reservation_id=reservation_id, launch_index=index,
        )
        session.add(server)
        session.flush()
        instance_actions.record(session, context, server, "create")
        session.add_all(ServerTag(server_id=server.id, tag=tag) for tag in set(request.tags))
        if group is not None:
            server_groups.add_member(session, group, server.id)
        if fault is not None:
            _unplaceable(server, fault)
        else:
            network.create_server_ports(session, context, server.id, nics)
        servers.append(server)
    return servers


def _unplaceable(server: Server, fault: dict) -> None:
    """A server no host can take: ERROR at once with the fault, as Nova's scheduler leaves it
    (no ports: Nova allocates them only on a host)."""
    server.vm_state, server.task_state, server.fault = server_states.ERROR, None, fault


def update_server(session: Session, context: RequestContext, server_id: str,
                  changes: dict) -> Server:
    """Apply already-validated changes: name, description, access IPs, disk config."""
    server = get_writable(session, context, server_id)
    for column, value in changes.items():
        setattr(server, column, value)
    if "name" in changes:
        server.hostname = sanitize_hostname(changes["name"])
    return server


def delete_server(session: Session, context: RequestContext, server_id: str) -> None:
    """Ask for the server to go: the reconciler destroys it, then removes the row."""
    server = get_writable(session, context, server_id)
    server.task_state = server_states.DELETING
    instance_actions.record(session, context, server, "delete")


def new_reservation_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "r-" + "".join(secrets.choice(alphabet) for _ in range(8))


def sanitize_hostname(name: str) -> str:
    """Nova's hostname from a display name: lowercase letters, digits, '-' and '.'."""
    hostname = re.sub(r"[ _]", "-", name.lower())
    hostname = re.sub(r"[^\w.-]+", "", hostname, flags=re.ASCII)
    hostname = hostname.strip(".-")[:63].rstrip(".-")
    return hostname or "server"
