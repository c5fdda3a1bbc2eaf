"""Running commands and callables, optionally inside a named network namespace.

``ns=None`` always means "the network namespace this process runs in" (the agent's host
namespace), never an assumption about the root one. A named ``ns`` is a file under
``/run/netns`` (``ip netns`` convention). Switching is done per call in a short-lived thread
(``setns(2)`` changes only the calling thread), so the caller's own thread never moves.
Children forked from that thread start in the namespace too.

Stdlib only (the instance init imports this package with the system python).
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000

T = TypeVar("T")
_libc = ctypes.CDLL(None, use_errno=True)


class HostError(RuntimeError):
    """A kernel operation failed; ``stderr`` holds what the tool said."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(f"{message}: {stderr.strip()}" if stderr else message)
        self.stderr = stderr


def netns_path(ns: str) -> str:
    return os.path.join(NETNS_DIR, ns)


def setns(path: str, nstype: int = CLONE_NEWNET) -> None:
    """Move the calling thread into the namespace at ``path``."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, nstype) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, f"setns({path}): {os.strerror(errno)}")
    finally:
        os.close(fd)


def in_netns(ns: str | None, fn: Callable[..., T], *args, **kwargs) -> T:
    """Call ``fn(*args, **kwargs)`` with the network namespace ``ns`` and return its result.

    Raises what ``fn`` raises; ``FileNotFoundError`` when the namespace does not exist.
    """
    if ns is None:
        return fn(*args, **kwargs)
    outcome: dict = {}

    def target() -> None:
        try:
            setns(netns_path(ns))
            outcome["value"] = fn(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name=f"netns-{ns}", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def run(
    cmd: Sequence[str],
    ns: str | None = None,
    input: str | None = None,
    check: bool = True,
    timeout: float = 60,
) -> subprocess.CompletedProcess:
    """Run ``cmd`` (in ``ns``), capture text output; raise ``HostError`` on failure if ``check``."""
    result = in_netns(
        ns, subprocess.run, list(cmd), input=input, capture_output=True, text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise HostError(f"{' '.join(cmd[:4])} failed ({result.returncode})", result.stderr)
    return result
