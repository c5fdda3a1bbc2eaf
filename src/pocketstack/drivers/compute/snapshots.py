"""A namespace instance's disk as an image layer: its upper dir(s) as one tar stream.

The tar keeps overlay whiteouts and ``trusted.*`` xattrs (``host.mounts.snapshot``), so
the layer stacks over its parent's. A running instance is paused (every process of its
cgroup SIGSTOPped) while tar reads, so files do not change under it, and resumed after.
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from collections.abc import Iterator

from pocketstack.host import cgroups, mounts

CHUNK = 256 * 1024


def layer_of(instance_dir: str, cgroup: str, host_usr: bool) -> Iterator[bytes]:
    """Write the layer now (OSError on failure, nothing left), then stream it; the file
    is removed once streamed (or when the stream is closed)."""
    tarball = os.path.join(instance_dir, f"snapshot-{uuid.uuid4().hex}.tar")
    upper, usr_upper = (os.path.join(instance_dir, sub) for sub in ("upper", "usr-upper"))
    os.makedirs(upper, exist_ok=True)
    try:
        with paused(cgroup):
            mounts.snapshot(upper, tarball,
                            usr_upper if host_usr and os.path.isdir(usr_upper) else None)
    except OSError:
        _remove(tarball + ".partial")
        raise
    return _stream_then_remove(tarball)


@contextlib.contextmanager
def paused(cgroup: str) -> Iterator[None]:
    """SIGSTOP every process of ``cgroup`` for the duration, SIGCONT them after."""
    stopped: set[int] = set()
    try:
        while fresh := set(cgroups.pids(cgroup)) - stopped:
            for pid in fresh:
                _signal(pid, signal.SIGSTOP)
            stopped |= fresh
        yield
    finally:
        for pid in stopped:
            _signal(pid, signal.SIGCONT)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _stream_then_remove(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        _remove(path)
