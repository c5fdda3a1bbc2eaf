"""Size-limited instance disks: a sparse ext4 image file per instance on a loop device.

A disk is one file, ``<name>.img``, where ``<name>`` is a kernel name of the deployment's
prefix (``names.kernel_name(prefix, "instance", id)``), so a sweep finds its loop devices
by the backing file's name alone, with or without the data dir. It is made sparse (only
what the instance writes takes space) and formatted without discard or eager table init
(milliseconds); ``attach`` mounts it with ``mount -o loop``, whose loop device clears
itself when the last mount of it goes (a crash between the loop setup and the mount leaves
no device either). The file persists: after a reboot or restart, ``attach`` mounts it again.

``release`` unmounts every mount of the disk's loop devices (lazily: a mount namespace
still holding it, e.g. a dying instance's, lets go when it ends) and detaches the devices
(a busy device detaches itself when released). Both are idempotent.
"""

from __future__ import annotations

import os
import re

from pocketstack.host import mounts, names
from pocketstack.host.proc import HostError, run

GIB = 1 << 30
SUFFIX = ".img"
SYS_BLOCK = "/sys/block"
MKFS = ["mkfs.ext4", "-q", "-F", "-m", "0", "-E",
        "nodiscard,lazy_itable_init=1,lazy_journal_init=1,root_owner=0:0"]


def image_name(prefix: str, instance_id: str) -> str:
    return names.kernel_name(prefix, "instance", instance_id) + SUFFIX


def create(image: str, size_gb: int) -> None:
    """Make the sparse, formatted image file ``image`` of ``size_gb`` GiB; keep an existing
    one. Written under a temporary name, then renamed: a half-made disk never counts."""
    if os.path.exists(image):
        return
    partial = image + ".partial"
    with open(partial, "wb") as handle:
        handle.truncate(size_gb * GIB)
    try:
        run([*MKFS, partial], timeout=120)
    except BaseException:
        os.unlink(partial)
        raise
    os.replace(partial, image)


def attach(image: str, mount_point: str) -> None:
    """Mount ``image`` on ``mount_point`` through a loop device; no-op when mounted."""
    os.makedirs(mount_point, mode=0o700, exist_ok=True)
    if mounts.is_mounted(mount_point):
        return
    run(["mount", "-t", "ext4", "-o", "loop,noatime", image, mount_point], timeout=60)


def release(name: str, under: str) -> None:
    """Unmount and detach every loop device backed by a file ``name`` (``image_name``)
    anywhere below the directory ``under``, even one already deleted."""
    under = os.path.realpath(under).rstrip("/") + "/"
    _release(device for device, backing in loop_devices().items()
             if _strip_deleted(backing).startswith(under)
             and os.path.basename(_strip_deleted(backing)) == name)


def purge(prefix: str) -> None:
    """Unmount and detach every loop device backed by a disk of ``prefix``, wherever it is."""
    _release(device for device, backing in loop_devices().items()
             if owner(prefix, backing) is not None)


def owner(prefix: str, backing_file: str) -> str | None:
    """The instance fragment of a disk file of ``prefix``, None for any other file."""
    base = os.path.basename(_strip_deleted(backing_file))
    if not base.endswith(SUFFIX):
        return None
    parsed = names.parse(prefix, base[: -len(SUFFIX)])
    return parsed.fragment if parsed and parsed.kind == "instance" else None


def fragments(prefix: str) -> set[str]:
    """Instance fragments of ``prefix`` that have a loop device attached (mark and sweep)."""
    found = (owner(prefix, backing) for backing in loop_devices().values())
    return {fragment for fragment in found if fragment}


def loop_devices() -> dict[str, str]:
    """``{"loop3": backing file}`` for every attached loop device of the machine."""
    found = {}
    for device in _list(SYS_BLOCK):
        try:
            with open(os.path.join(SYS_BLOCK, device, "loop", "backing_file")) as handle:
                found[device] = handle.read().strip()
        except OSError:
            continue
    return found


def _release(devices) -> None:
    for device in list(devices):
        number = _dev_number(device)
        for point in sorted(_mount_points(number), reverse=True):
            mounts.unmount(point)
        result = run(["losetup", "-d", f"/dev/{device}"], check=False)
        if result.returncode != 0 and device in loop_devices():
            raise HostError(f"cannot detach /dev/{device}", result.stderr)


def _mount_points(dev_number: str) -> list[str]:
    with open("/proc/self/mountinfo") as handle:
        return [line.split()[4] for line in handle if line.split()[2] == dev_number]


def _dev_number(device: str) -> str:
    with open(os.path.join(SYS_BLOCK, device, "dev")) as handle:
        return handle.read().strip()


def _strip_deleted(path: str) -> str:
    return re.sub(r" \(deleted\)$", "", path)


def _list(path: str) -> list[str]:
    try:
        return [name for name in os.listdir(path) if name.startswith("loop")]
    except FileNotFoundError:
        return []
