"""Network namespaces: create, delete, list by prefix, run inside, sysctls inside.

Namespaces are named files under ``/run/netns`` (``ip netns``), shared by every "host"
namespace on the machine, so names always carry the deployment prefix
(``names.kernel_name``). Creating one that exists succeeds; deleting one that is gone
succeeds. A new namespace gets ``lo`` up (instances expect 127.0.0.1 to work).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from pocketstack.host import names
from pocketstack.host.proc import NETNS_DIR, in_netns, netns_path, run

T = TypeVar("T")


def exists(ns: str) -> bool:
    """Whether ``ns`` names a live namespace: its file is an nsfs bind mount.

    A name can outlive its namespace as a plain empty file, e.g. when the process that
    made it ran in a private mount namespace (``ip netns exec``) and exited.
    """
    return os.path.ismount(netns_path(ns))


def _remove_stale_name(ns: str) -> None:
    path = netns_path(ns)
    if os.path.exists(path) and not os.path.ismount(path):
        os.unlink(path)


def create(ns: str) -> None:
    """Create namespace ``ns`` with ``lo`` up; no-op when it exists (a stale name left by
    a namespace that is gone is replaced)."""
    _remove_stale_name(ns)
    if not exists(ns):
        result = run(["ip", "netns", "add", ns], check=False)
        if result.returncode != 0 and not exists(ns):
            run(["ip", "netns", "add", ns])
    run(["ip", "-n", ns, "link", "set", "lo", "up"])


def delete(ns: str) -> None:
    """Delete namespace ``ns``; no-op when it is gone.

    Links inside go with it (veth peers too). Processes still inside keep the namespace
    alive, unnamed, until they exit: stop instances first.
    """
    _remove_stale_name(ns)
    if exists(ns):
        result = run(["ip", "netns", "delete", ns], check=False)
        if result.returncode != 0 and exists(ns):
            run(["ip", "netns", "delete", ns])


def list_names(prefix: str, kind: str | None = None) -> list[str]:
    """Namespaces made with ``prefix`` (and ``kind``, e.g. ``"router_ns"``), sorted."""
    try:
        entries = os.listdir(NETNS_DIR)
    except FileNotFoundError:
        return []
    return sorted(names.owned(prefix, entries, kind))


def call(ns: str | None, fn: Callable[..., T], *args, **kwargs) -> T:
    """Call ``fn`` inside ``ns`` (sockets it opens live there) and return its result."""
    return in_netns(ns, fn, *args, **kwargs)


def execute(ns: str | None, cmd: Sequence[str], input: str | None = None, check: bool = True,
            timeout: float = 60):
    """Run a command inside ``ns``; returns ``subprocess.CompletedProcess`` (text output)."""
    return run(cmd, ns=ns, input=input, check=check, timeout=timeout)


def _sysctl_path(key: str) -> str:
    return "/proc/sys/" + key.replace(".", "/")


def set_sysctl(ns: str | None, key: str, value: str | int) -> None:
    """Write sysctl ``key`` (dotted, e.g. ``net.ipv4.ip_forward``) inside ``ns``.

    Only per-namespace keys make sense here (``net.*``). ``net.ipv4.ip_forward`` is one,
    so routers get forwarding without touching the host namespace.
    """
    def write() -> None:
        with open(_sysctl_path(key), "w") as handle:
            handle.write(f"{value}\n")

    in_netns(ns, write)


def get_sysctl(ns: str | None, key: str) -> str:
    """Read sysctl ``key`` inside ``ns``."""
    def read() -> str:
        with open(_sysctl_path(key)) as handle:
            return handle.read().strip()

    return in_netns(ns, read)
