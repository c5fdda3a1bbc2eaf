"""Waiting for a namespace instance's init to finish booting (this start, not a past one).

The console log is appended to across stops and starts, so a start waits for the ready
line *after* the offset where the log ended when it began.
"""

from __future__ import annotations

import os
import time

from pocketstack.errors import DriverError
from pocketstack.host import instance
from pocketstack.host.init import FAILED_LINE, READY_LINE

POLL = 0.002  # the console is re-read on each tick: cheap, and ~1 ms lost on average
TAIL_LINES = 5


def console_since(run_dir: str, offset: int) -> str:
    try:
        with open(os.path.join(run_dir, "console.log"), "rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def wait_booted(run_dir: str, offset: int, timeout: float) -> None:
    """Return when the init printed its ready line after ``offset``; DriverError (with the
    console's last lines) when it failed, exited, or did not finish within ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        log = console_since(run_dir, offset)
        if READY_LINE in log:
            return
        if FAILED_LINE in log or not instance.is_running(run_dir):
            break
        if time.monotonic() > deadline:
            log += f"\n(no ready line after {timeout:.0f} s)"
            break
        time.sleep(POLL)
    tail = " | ".join(log.strip().splitlines()[-TAIL_LINES:])
    raise DriverError(f"The instance did not boot: {tail or 'no console output'}")
