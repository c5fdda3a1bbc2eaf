"""Image layers and overlay roots: extract, mount, unmount, snapshot.

A layer is a directory tree extracted from a tar that keeps overlay whiteouts (char 0:0)
and ``trusted.*`` xattrs (``trusted.overlay.opaque``), so snapshot layers stack. A root
is an overlay of layers (top first) plus an upper and a work dir. With ``host_usr`` the
host's ``/usr`` is an extra read-only lower layer, mounted as a second overlay on
``<root>/usr`` (lowers: each layer's ``usr`` that exists, then ``/usr``) with its own
upper, so ``/bin -> usr/bin`` images run the host's programs. The host's ``/`` is never a
lower layer (it exposes host secrets, and the kernel refuses overlapping lowerdirs).

``mount_root``/``unmount_root`` act in the caller's mount namespace: the instance init
calls them inside its private one, where they vanish with the instance. Stdlib only.
"""

from __future__ import annotations

import ctypes
import errno
import os
import subprocess
import tarfile
from collections.abc import Sequence

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
TAR_XATTRS = ["--xattrs", "--xattrs-include=trusted.*", "--numeric-owner"]

_libc = ctypes.CDLL(None, use_errno=True)


def mount(source: str, target: str, fstype: str | None = None, flags: int = 0,
          data: str = "") -> None:
    """``mount(2)``; raises ``OSError`` with the errno."""
    result = _libc.mount(source.encode(), target.encode(),
                         fstype.encode() if fstype else None, flags,
                         data.encode() if data else None)
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"mount {fstype or ''} {source} on {target}: {os.strerror(code)}")


def unmount(target: str, detach: bool = True) -> None:
    """``umount2(2)``; no-op when ``target`` is not mounted or missing."""
    if _libc.umount2(target.encode(), MNT_DETACH if detach else 0) != 0:
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOENT):
            raise OSError(code, f"umount {target}: {os.strerror(code)}")


def is_mounted(target: str) -> bool:
    """Whether ``target`` is a mount point in the caller's mount namespace."""
    target = os.path.realpath(target)
    with open("/proc/self/mountinfo") as handle:
        return any(line.split()[4] == target for line in handle)


def extract_layer(tarball: str, dest: str) -> None:
    """Extract ``tarball`` (any compression tar detects) into ``dest``, keeping owners,
    modes, whiteouts and ``trusted.*`` xattrs. Re-extracting over a layer is harmless.

    OSError for an archive that could reach beyond ``dest`` or the instance: see
    ``check_layer_members``. GNU tar itself refuses to write through a link it made."""
    check_layer_members(tarball)
    os.makedirs(dest, exist_ok=True)
    _tar(["-xpf", tarball, "-C", dest])


def check_layer_members(tarball: str) -> None:
    """OSError naming the first member that is an absolute or ``..`` path, or a device node
    other than an overlay whiteout (char 0:0): an instance could open a node of the host's
    disks, since nothing but the missing MKNOD capability keeps it from devices."""
    try:
        with tarfile.open(tarball) as archive:
            for member in archive:
                _check_member(member)
    except tarfile.TarError as error:
        raise OSError(f"not a tar archive: {error}") from None


def _check_member(member: tarfile.TarInfo) -> None:
    parts = member.name.split("/")
    if member.name.startswith("/") or ".." in parts:
        raise OSError(f"member {member.name!r} points outside the layer")
    whiteout = member.ischr() and (member.devmajor, member.devminor) == (0, 0)
    if member.isdev() and not member.isfifo() and not whiteout:
        raise OSError(f"member {member.name!r} is a device node")


def _tar(args: list[str]) -> None:
    result = subprocess.run(["tar", *TAR_XATTRS, *args], capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise OSError(f"tar {' '.join(args[:2])} failed: {result.stderr.strip()}")


def overlay_options(lowers: Sequence[str], upper: str, work: str) -> str:
    """Mount options for an overlay: ``lowers`` top first (``lowerdir=a:b``)."""
    for path in (*lowers, upper, work):
        if "," in path or ":" in path:
            raise ValueError(f"overlay path may not contain ',' or ':': {path}")
    return f"lowerdir={':'.join(lowers)},upperdir={upper},workdir={work}"


def mount_root(target: str, lowers: Sequence[str], upper: str, work: str,
               host_usr: bool = False, usr_upper: str | None = None,
               usr_work: str | None = None) -> None:
    """Mount the overlay root of ``lowers`` on ``target`` (+ host ``/usr`` when asked).

    Creates ``upper``/``work`` (and the ``/usr`` pair) when missing. Idempotent: an
    existing mount on ``target`` is left as it is.
    """
    if is_mounted(target):
        return
    for path in (target, upper, work):
        os.makedirs(path, exist_ok=True)
    mount("overlay", target, "overlay", 0, overlay_options(lowers, upper, work))
    if host_usr:
        if not (usr_upper and usr_work):
            raise ValueError("host_usr needs usr_upper and usr_work")
        for path in (usr_upper, usr_work, os.path.join(target, "usr")):
            os.makedirs(path, exist_ok=True)
        usr_lowers = [os.path.join(lay, "usr") for lay in lowers
                      if os.path.isdir(os.path.join(lay, "usr"))] + ["/usr"]
        mount("overlay", os.path.join(target, "usr"), "overlay", 0,
              overlay_options(usr_lowers, usr_upper, usr_work))


def unmount_root(target: str) -> None:
    """Unmount what ``mount_root`` mounted (and anything below it); no-op when unmounted."""
    unmount(os.path.join(target, "usr"))
    unmount(target)


def snapshot(upper: str, tarball: str, usr_upper: str | None = None) -> None:
    """Write the changes of an instance (its ``upper``, and ``usr_upper`` under ``usr/``)
    as a layer tar at ``tarball`` (uncompressed; written to a temp name, then renamed)."""
    partial = tarball + ".partial"
    _tar(["-cpf", partial, "-C", upper, "."])
    if usr_upper:
        _tar(["-rpf", partial, "--transform", r"s,^\.,./usr,", "-C", usr_upper, "."])
    os.replace(partial, tarball)
