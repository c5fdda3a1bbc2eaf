"""Nova's vm states, task states and the ``status`` a client sees for each pair."""

from __future__ import annotations

from pocketstack.errors import Conflict

BUILDING, ACTIVE, STOPPED, ERROR = "building", "active", "stopped", "error"

SCHEDULING, SPAWNING = "scheduling", "spawning"
POWERING_OFF, POWERING_ON = "powering-off", "powering-on"
REBOOTING, REBOOTING_HARD = "rebooting", "rebooting_hard"
IMAGE_SNAPSHOT, DELETING = "image_snapshot", "deleting"
REBUILDING = "rebuilding"

_STATUS = {BUILDING: "BUILD", ACTIVE: "ACTIVE", STOPPED: "SHUTOFF", ERROR: "ERROR"}
_TASK_STATUS = {REBOOTING: "REBOOT", REBOOTING_HARD: "HARD_REBOOT"}

# Every status Nova knows; filtering by one we never show matches nothing.
KNOWN_STATUSES = frozenset({
    "ACTIVE", "BUILD", "DELETED", "ERROR", "HARD_REBOOT", "MIGRATING", "PASSWORD", "PAUSED",
    "REBOOT", "REBUILD", "RESCUE", "RESIZE", "REVERT_RESIZE", "SHELVED", "SHELVED_OFFLOADED",
    "SHUTOFF", "SOFT_DELETED", "SUSPENDED", "UNKNOWN", "VERIFY_RESIZE",
})


def status_of(vm_state: str, task_state: str | None) -> str:
    if task_state == REBUILDING:  # whatever the vm state it started from, as Nova shows
        return "REBUILD"
    if vm_state == ACTIVE and task_state in _TASK_STATUS:
        return _TASK_STATUS[task_state]
    return _STATUS.get(vm_state, "UNKNOWN")


def states_for_status(status: str) -> tuple[str | None, tuple[str, ...] | None]:
    """(vm_state, task states) a ``status`` filter selects; (None, None) matches nothing."""
    if status == "REBUILD":
        return ACTIVE, (REBUILDING,)
    for task_state, shown in _TASK_STATUS.items():
        if shown == status:
            return ACTIVE, (task_state,)
    for vm_state, shown in _STATUS.items():
        if shown == status:
            return vm_state, None
    return None, None


def require_state(server, action: str, vm_states: tuple[str, ...],
                  task_states: tuple[str | None, ...] = (None,)) -> None:
    """Conflict, worded as Nova words it, unless the server is in one of the given states."""
    if server.vm_state not in vm_states:
        raise Conflict(f"Cannot '{action}' instance {server.id} while it is in vm_state "
                       f"{server.vm_state}")
    if server.task_state not in task_states:
        raise Conflict(f"Cannot '{action}' instance {server.id} while it is in task_state "
                       f"{server.task_state}")
