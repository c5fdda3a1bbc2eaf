"""``POST /servers/{id}/action`` (the console URL actions live in ``console``).

Each action checks the server's state in the service, writes the task, wakes the agent
and answers 202; queries (console output) answer 200 with their result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Body
from fastapi.responses import JSONResponse, Response

from pocketstack.api.common import APIRouter, CloudDep
from pocketstack.api.compute.console import LEGACY_PROTOCOLS, legacy_handler
from pocketstack.api.compute.instance_actions import Acting
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.server_rebuild import rebuild
from pocketstack.api.compute.server_requests import invalid, name, reject_unknown
from pocketstack.errors import BadRequest
from pocketstack.services.compute import backups, servers
from pocketstack.services.compute import server_actions as actions
from pocketstack.services.compute.boot import check_metadata
from pocketstack.services.context import RequestContext
from pocketstack.services.runtime import Cloud

router = APIRouter(prefix="/v2.1/servers")

Handler = Callable[[Cloud, RequestContext, Version, str, object], Response]


def _accepted() -> Response:
    return Response(status_code=202)


def _task(cloud: Cloud, change: Callable) -> Response:
    with cloud.db.session() as session:
        change(session)
    cloud.wake_agent()
    return _accepted()


def start(cloud, context, _version, server_id, _value) -> Response:
    return _task(cloud, lambda session: actions.start(session, context, server_id))


def stop(cloud, context, _version, server_id, _value) -> Response:
    return _task(cloud, lambda session: actions.stop(session, context, server_id))


def reboot(cloud, context, _version, server_id, value) -> Response:
    kind = value.get("type") if isinstance(value, dict) else None
    if not isinstance(kind, str) or kind.upper() not in ("SOFT", "HARD"):
        raise invalid("type", kind, "The reboot type must be SOFT or HARD.")
    hard = kind.upper() == "HARD"
    return _task(cloud, lambda session: actions.reboot(session, context, server_id, hard))


def create_image(cloud, context, version, server_id, value) -> Response:
    if not isinstance(value, dict):
        raise invalid("createImage", value, "createImage must be an object.")
    reject_unknown(value, {"name", "metadata"})
    image_name = name(value, required=True)
    metadata = value.get("metadata", {})
    if not isinstance(metadata, dict):
        raise invalid("metadata", metadata, "metadata must be an object.")
    with cloud.db.session() as session:
        server = servers.get_server(session, context, server_id)
        check_metadata(session, server.project_id, metadata)
        image_id = actions.create_image(session, context, server_id, image_name, metadata)
    cloud.wake_agent()
    if version.at_least("2.45"):
        return JSONResponse({"image_id": image_id}, status_code=202)
    location = cloud.settings.url(f"image/v2/images/{image_id}")
    return Response(status_code=202, headers={"Location": location})


def create_backup(cloud, context, version, server_id, value) -> Response:
    if not isinstance(value, dict):
        raise invalid("createBackup", value, "createBackup must be an object.")
    reject_unknown(value, {"name", "backup_type", "rotation", "metadata"})
    image_name = name(value, required=True)
    backup_type = value.get("backup_type")
    if not isinstance(backup_type, str) or not backup_type:
        raise invalid("backup_type", backup_type, "backup_type is a required string.")
    rotation = _rotation(value.get("rotation"))
    metadata = value.get("metadata", {})
    if not isinstance(metadata, dict):
        raise invalid("metadata", metadata, "metadata must be an object.")
    with cloud.db.session() as session:
        server = servers.get_server(session, context, server_id)
        check_metadata(session, server.project_id, metadata)
        image_id = backups.create_backup(session, context, server_id, name=image_name,
                                         backup_type=backup_type, rotation=rotation,
                                         metadata=metadata)
    cloud.wake_agent()
    if rotation == 0:  # the new backup is rotated away at once: nothing to point at
        return _accepted()
    if version.at_least("2.45"):
        return JSONResponse({"image_id": image_id}, status_code=202)
    location = cloud.settings.url(f"image/v2/images/{image_id}")
    return Response(status_code=202, headers={"Location": location})


def _rotation(value) -> int:
    text = str(value)
    if isinstance(value, bool) or value is None or not text.lstrip("-").isdigit() \
            or int(text) < 0:
        raise invalid("rotation", value, "rotation must be an integer of 0 or more.")
    return int(text)


def console_output(cloud, context, _version, server_id, value) -> Response:
    length = _console_length(value)
    with cloud.db.session() as session:
        server = servers.get_server(session, context, server_id)
        vm_state = server.vm_state
    output = actions.console_output(cloud.compute_driver, server_id, vm_state, length)
    return JSONResponse({"output": output})


def _console_length(value) -> int | None:
    length = value.get("length") if isinstance(value, dict) else None
    if length is None:
        return None
    text = str(length)
    if isinstance(length, bool) or not text.lstrip("-").isdigit() or int(text) < -1:
        raise invalid("length", length, "length must be an integer of -1 or more.")
    return None if int(text) == -1 else int(text)


def lock(cloud, context, version, server_id, value) -> Response:
    reason = None
    if isinstance(value, dict) and version.at_least("2.73"):
        reject_unknown(value, {"locked_reason"})
        reason = value.get("locked_reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 255):
            raise invalid("locked_reason", reason, "It is at most 255 characters.")
    return _task(cloud, lambda session: actions.lock(session, context, server_id, reason))


def unlock(cloud, context, _version, server_id, _value) -> Response:
    return _task(cloud, lambda session: actions.unlock(session, context, server_id))


def reset_state(cloud, context, _version, server_id, value) -> Response:
    state = value.get("state") if isinstance(value, dict) else None
    if state not in actions.RESETTABLE:
        raise invalid("state", state, "The state must be active or error.")
    return _task(cloud, lambda session: actions.reset_state(session, context, server_id, state))


def soft_delete_handler(action: str) -> Handler:
    def refuse(cloud, context, _version, server_id, _value) -> Response:
        return _task(cloud, lambda session: actions.restore_or_force_delete(
            session, context, server_id, action))
    return refuse


def inject_network_info(cloud, context, _version, server_id, _value) -> Response:
    """Addresses are set by the driver at spawn; there is nothing to inject again."""
    context.require_admin()
    with cloud.db.session() as session:
        servers.get_server(session, context, server_id)
    return _accepted()


def security_group_handler(add: bool) -> Handler:
    def change(cloud, context, _version, server_id, value) -> Response:
        group = value.get("name") if isinstance(value, dict) else None
        if not isinstance(group, str) or not group.strip():
            raise invalid("name", group, "A security group name is required.")
        return _task(cloud, lambda session: actions.change_security_group(
            session, context, server_id, group.strip(), add=add))
    return change


ACTIONS: dict[str, Handler] = {
    "os-start": start, "os-stop": stop, "reboot": reboot, "createImage": create_image,
    "createBackup": create_backup,
    "os-getConsoleOutput": console_output, "lock": lock, "unlock": unlock, "rebuild": rebuild,
    "os-resetState": reset_state, "restore": soft_delete_handler("restore"),
    "forceDelete": soft_delete_handler("forceDelete"), "injectNetworkInfo": inject_network_info,
    "addSecurityGroup": security_group_handler(True),
    "removeSecurityGroup": security_group_handler(False),
    **{action: legacy_handler(action) for action in LEGACY_PROTOCOLS},
}


@router.post("/{server_id}/action")
def server_action(cloud: CloudDep, context: Acting, version: Microversion, server_id: str,
                  body: Annotated[dict, Body()]) -> Response:
    if len(body) != 1:
        raise BadRequest("Malformed request body: one action is expected.")
    action, value = next(iter(body.items()))
    handler = ACTIONS.get(action)
    if handler is None:
        with cloud.db.session() as session:
            servers.get_server(session, context, server_id)  # 404 first, as Nova answers
        raise BadRequest(f"There is no such action: {action}")
    return handler(cloud, context, version, server_id, value)
