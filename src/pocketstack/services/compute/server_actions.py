"""Server actions: each checks the server's state, then writes the task the reconciler runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pocketstack.drivers.compute.base import ComputeDriver, PowerState
from pocketstack.errors import Conflict, DriverError
from pocketstack.services.compute import boot, instance_actions
from pocketstack.services.compute import server_states as states
from pocketstack.services.compute.servers import get_server, get_writable, sanitize_hostname
from pocketstack.services.context import RequestContext
from pocketstack.services.image import for_compute as images
from pocketstack.services.network import for_compute as network


def start(session: Session, context: RequestContext, server_id: str) -> None:
    server = get_writable(session, context, server_id)
    states.require_state(server, "start", (states.STOPPED,))
    server.task_state = states.POWERING_ON
    instance_actions.record(session, context, server, "start")


def stop(session: Session, context: RequestContext, server_id: str) -> None:
    server = get_writable(session, context, server_id)
    states.require_state(server, "stop", (states.ACTIVE, states.ERROR))
    server.task_state = states.POWERING_OFF
    instance_actions.record(session, context, server, "stop")


def reboot(session: Session, context: RequestContext, server_id: str, hard: bool) -> None:
    server = get_writable(session, context, server_id)
    if hard:
        states.require_state(server, "reboot", (states.ACTIVE, states.STOPPED, states.ERROR),
                             (None, states.REBOOTING, states.REBOOTING_HARD))
        server.task_state = states.REBOOTING_HARD
    else:
        states.require_state(server, "reboot", (states.ACTIVE,), (None, states.REBOOTING))
        server.task_state = states.REBOOTING
    instance_actions.record(session, context, server, "reboot")


def create_image(session: Session, context: RequestContext, server_id: str, name: str,
                 metadata: dict) -> str:
    """Start a snapshot: the image row now (queued), its data from the reconciler."""
    server = get_writable(session, context, server_id)
    states.require_state(server, "createImage", (states.ACTIVE, states.STOPPED))
    image_id = images.start_snapshot(session, context, name=name, server_id=server.id,
                                     parent_image_id=server.image_id, metadata=metadata)
    server.task_state = states.IMAGE_SNAPSHOT
    server.snapshot_image_id = image_id
    instance_actions.record(session, context, server, "createImage")
    return image_id


def lock(session: Session, context: RequestContext, server_id: str, reason: str | None) -> None:
    context.require_writer()
    server = get_server(session, context, server_id)
    server.locked, server.locked_reason = True, reason
    instance_actions.record(session, context, server, "lock")


def unlock(session: Session, context: RequestContext, server_id: str) -> None:
    context.require_writer()
    server = get_server(session, context, server_id)
    server.locked, server.locked_reason = False, None
    instance_actions.record(session, context, server, "unlock")


def console_output(driver: ComputeDriver | None, server_id: str, vm_state: str,
                   length: int | None) -> str:
    """The instance's console log, read straight from the driver (a read-only query)."""
    if driver is None or vm_state == states.BUILDING:
        raise Conflict(f"Instance {server_id} is not ready")
    if driver.power_state(server_id) == PowerState.NOSTATE:
        raise Conflict(f"Instance {server_id} is not ready")
    try:
        output = driver.console_log(server_id, length)
    except DriverError as exc:
        raise Conflict(f"Instance {server_id} is not ready: {exc.message}") from None
    # ``length`` lines means exactly that many: no empty line after the last newline.
    return "\n".join(output.splitlines()[-length:]) if length else output


@dataclass(frozen=True)
class Rebuild:
    """A rebuild, shape-checked by the API: the new image and the fields that change
    (``changes``: column → value for name, description, metadata, access IPs, disk config,
    user data; ``key_name`` only when given, None removing the key)."""

    image_id: str
    changes: dict = field(default_factory=dict)
    key_name: str | None = None
    sets_key: bool = False


def rebuild(session: Session, context: RequestContext, server_id: str, request: Rebuild):
    """Start a rebuild: the server keeps its id, flavor and ports, and gets a fresh disk
    from the new image; the reconciler replaces the instance (a stopped server stays off)."""
    server = get_writable(session, context, server_id)
    states.require_state(server, "rebuild", (states.ACTIVE, states.STOPPED, states.ERROR))
    image = images.image_for_boot(session, context, request.image_id)
    flavor = server.flavor or {}
    boot.check_image_fits(boot.FlavorSize(int(flavor.get("ram", 0)), int(flavor.get("disk", 0))),
                          image.min_ram, image.min_disk)
    if "server_metadata" in request.changes:
        boot.check_metadata(session, server.project_id, request.changes["server_metadata"])
    if request.sets_key:
        keypair = (boot.keypair_for_boot(session, context, request.key_name)
                   if request.key_name else None)
        server.key_name = keypair.name if keypair else None
        server.key_data = keypair.public_key if keypair else None
    for column, value in request.changes.items():
        setattr(server, column, value)
    if "name" in request.changes:
        server.hostname = sanitize_hostname(request.changes["name"])
    server.image_id, server.task_state = image.id, states.REBUILDING
    instance_actions.record(session, context, server, "rebuild")
    return server


# Deletes are immediate here (no reclaim interval), so no server is ever soft-deleted.
SOFT_DELETED = "soft-delete"


def restore_or_force_delete(session: Session, context: RequestContext, server_id: str,
                            action: str) -> None:
    """``restore``/``forceDelete`` act on soft-deleted servers only: Conflict for any other
    (as Nova answers), after the usual 404 and lock checks."""
    server = get_writable(session, context, server_id)
    states.require_state(server, action, (SOFT_DELETED,))


RESETTABLE = {"active": states.ACTIVE, "error": states.ERROR}


def reset_state(session: Session, context: RequestContext, server_id: str, state: str) -> None:
    """Admin only: force the vm state (active or error) and drop the task, as Nova does."""
    context.require_admin()
    server = get_server(session, context, server_id)
    server.vm_state, server.task_state = RESETTABLE[state], None


def change_security_group(session: Session, context: RequestContext, server_id: str,
                          name: str, *, add: bool) -> None:
    server = get_writable(session, context, server_id)
    network.change_server_security_group(session, context, server.id, server.project_id, name,
                                         add=add)
