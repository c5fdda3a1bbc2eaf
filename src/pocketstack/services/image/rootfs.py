"""The default image's data: a gzip tarball of a tiny root skeleton, built in memory.

The skeleton is only what an instance needs of its own: ``/etc`` (hostname, hosts, a
``passwd``/``group``/``shadow`` with root alone and no password hash, the host's
``os-release``), an empty ``/var/lib/dpkg``, mount points, and the merged-``/usr`` links
(``bin``, ``sbin``, ``lib``, ``lib64`` → ``usr/…``). Its ``/usr`` is empty: the image's
``pocketstack_lower_usr: host`` property tells the namespace driver to mount the host's
``/usr`` read-only there. Nothing is read from the host but ``os-release``, so no host
secret (shadow hashes, SSH host keys, private keys, pocketstack's data dir) can end up here.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

# A fixed mtime keeps the tarball (and its checksum) the same from one start to the next.
EPOCH = 1_700_000_000
OS_RELEASE = Path("/etc/os-release")
FALLBACK_OS_RELEASE = 'NAME="Linux"\nID=linux\nPRETTY_NAME="Linux"\n'

DIRECTORIES = {
    "etc": 0o755, "root": 0o700, "tmp": 0o1777, "run": 0o755, "home": 0o755, "usr": 0o755,
    "var": 0o755, "var/lib": 0o755, "var/lib/dpkg": 0o755, "var/tmp": 0o1777,
    "var/log": 0o755, "proc": 0o555, "sys": 0o555, "dev": 0o755, "mnt": 0o755, "opt": 0o755,
    "srv": 0o755, "media": 0o755,
}
LINKS = {"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib", "lib64": "usr/lib64"}


def host_os_release() -> str:
    try:
        return OS_RELEASE.read_text()
    except OSError:
        return FALLBACK_OS_RELEASE


SYSTEM_UID_LIMIT = 1000
NOBODY = 65534
FALLBACK_PASSWD = "root:x:0:0:root:/root:/bin/bash\n"
FALLBACK_GROUP = "root:x:0:\n"


def _system_entries(path: Path, fallback: str, id_field: int) -> str:
    """The host's system accounts (ids below 1000, and nobody) from ``passwd``/``group``.

    The daemons in the host's ``/usr`` (sshd's privilege separation user, www-data,
    mysql, haproxy…) need them. These files hold no secrets: hashes live in ``shadow``,
    which is never copied.
    """
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return fallback
    kept = [line for line in lines
            if line.count(":") >= id_field and line.split(":")[id_field].isdigit()
            and (int(line.split(":")[id_field]) < SYSTEM_UID_LIMIT
                 or int(line.split(":")[id_field]) == NOBODY)]
    return "\n".join(kept) + "\n" if kept else fallback


def _locked_shadow(passwd: str) -> str:
    """A shadow file naming every account with no password at all ("*")."""
    names = [line.split(":")[0] for line in passwd.splitlines() if line]
    return "".join(f"{name}:*:19700:0:99999:7:::\n" for name in names)


def etc_files(os_release: str, passwd: str = FALLBACK_PASSWD,
              group: str = FALLBACK_GROUP) -> dict[str, tuple[str, int]]:
    """``/etc`` of the skeleton: path → (content, mode)."""
    return {
        "etc/hostname": ("localhost\n", 0o644),
        "etc/hosts": ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
                      0o644),
        "etc/passwd": (passwd, 0o644),
        "etc/group": (group, 0o644),
        # "*": no account has a password at all (key-based login only).
        "etc/shadow": (_locked_shadow(passwd), 0o640),
        "etc/os-release": (os_release, 0o644),
        "etc/resolv.conf": ("", 0o644),
        "etc/fstab": ("", 0o644),
        "etc/motd": ("", 0o644),
    }


def _member(name: str, kind: bytes, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = kind, mode, EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_rootfs(os_release: str | None = None) -> bytes:
    """The skeleton as ``.tar.gz`` bytes (a few kilobytes, built in milliseconds)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, mode in DIRECTORIES.items():
            tar.addfile(_member(name, tarfile.DIRTYPE, mode))
        for name, target in LINKS.items():
            link = _member(name, tarfile.SYMTYPE, 0o777)
            link.linkname = target
            tar.addfile(link)
        files = etc_files(
            host_os_release() if os_release is None else os_release,
            _system_entries(Path("/etc/passwd"), FALLBACK_PASSWD, 2),
            _system_entries(Path("/etc/group"), FALLBACK_GROUP, 2),
        )
        for name, (text, mode) in files.items():
            content = text.encode()
            info = _member(name, tarfile.REGTYPE, mode)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


def os_release_fields(text: str) -> dict[str, str]:
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            fields[key.strip()] = value.strip().strip('"')
    return fields
