"""An interactive login shell inside a running instance, on a pseudo-terminal.

The shell runs as root with ``TERM=xterm`` in every namespace of the instance (``nsenter``
into its PID 1's mount, UTS, IPC, network and PID namespaces, its root and cwd), in its
cgroup when given, and in a session of its own whose controlling terminal is the pty's
slave end (``setsid --ctty``), so job control and Ctrl-C work as on a real console.
The host keeps the master end: ``Shell`` reads and writes it and sets its window size.

Contracts: ``open_shell`` raises ``HostError`` when the instance is not running or the
shell cannot start (nothing is left behind). ``Shell.close`` hangs the terminal up, then
kills every process still in the shell's session, and is safe to call twice.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import struct
import subprocess
import termios
import time

from pocketstack.host.instance import in_cgroup, init_pid
from pocketstack.host.proc import HostError

# Inside the instance: start in root's home, prefer bash, fall back to sh.
LOGIN = ('cd "$HOME" 2>/dev/null || cd /; '
         'if [ -x /bin/bash ]; then exec /bin/bash -l; fi; exec /bin/sh -l')
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
       "HOME": "/root", "USER": "root", "LOGNAME": "root", "SHELL": "/bin/bash",
       "TERM": "xterm", "LANG": "C.UTF-8"}
HANGUP_GRACE = 0.5


def set_window_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Shell:
    """The host's end of one console: the pty master and the shell's session leader."""

    def __init__(self, master: int, process: subprocess.Popen) -> None:
        self.master = master
        self.process = process
        self.closed = False
        os.set_blocking(master, False)

    def fileno(self) -> int:
        return self.master

    def read(self, size: int = 65536) -> bytes | None:
        """What the shell wrote; None when nothing is waiting; b"" once the shell ended."""
        try:
            return os.read(self.master, size)
        except BlockingIOError:
            return None
        except OSError as error:  # EIO: every slave fd closed, the shell is gone
            if error.errno == errno.EIO:
                return b""
            raise

    def write(self, data: bytes) -> None:
        """Type ``data`` (blocks briefly while the terminal's input queue is full)."""
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.master, view):]
            except BlockingIOError:
                time.sleep(0.01)

    def resize(self, rows: int, cols: int) -> None:
        set_window_size(self.master, rows, cols)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        os.close(self.master)  # hangs up: the session's processes get SIGHUP
        try:
            self.process.wait(HANGUP_GRACE)
        except subprocess.TimeoutExpired:
            pass
        kill_session(self.process.pid)
        self.process.wait()


def session_members(sid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[3]) == sid:
            members.append(int(entry))
    return members


def kill_session(sid: int) -> None:
    """SIGKILL every process of session ``sid`` (those that made a session of their own,
    e.g. daemons started from the console, keep running as they would on a VM)."""
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _command(pid: int) -> list[str]:
    return ["setsid", "--ctty", "nsenter", "-t", str(pid), "-m", "-u", "-i", "-n", "-p",
            "-r", "-w", "--", "/bin/sh", "-c", LOGIN]


def open_shell(run_dir: str, cgroup: str | None = None, rows: int = 24,
               cols: int = 80) -> Shell:
    """Start a login shell in the running instance of ``run_dir`` on a new pty."""
    pid = init_pid(run_dir)
    if pid is None:
        raise HostError(f"instance in {run_dir} is not running")
    master, slave = os.openpty()
    try:
        set_window_size(slave, rows, cols)
        process = subprocess.Popen(in_cgroup(cgroup, _command(pid)), stdin=slave,
                                   stdout=slave, stderr=slave, env=ENV, close_fds=True)
    except (OSError, subprocess.SubprocessError) as error:
        os.close(master)
        raise HostError(f"cannot start a console shell in {run_dir}: {error}") from error
    finally:
        os.close(slave)
    return Shell(master, process)
