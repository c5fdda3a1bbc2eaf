"""PID 1 of a namespace instance: ``python3 -m pocketstack.host.init <config.json>``.

Runs with the *system* python3 and the standard library only (the venv is outside the
instance root), started by ``instance.spawn`` in fresh mount/pid/uts/ipc namespaces and
the instance's network namespace. Everything it needs is imported before ``pivot_root``.

Boot, in order (each step logged to stdout = the console log on the host side):
  1. mount the overlay root; private ``/proc``, read-only ``/sys``, a tmpfs ``/dev`` with
     null/zero/full/random/urandom/tty, a new devpts + ``ptmx``, tmpfs ``/dev/shm``,
     ``/run``, ``/tmp``; set the hostname; ``pivot_root`` (the host tree is gone after);
  2. ``/etc/hostname``, ``/etc/hosts``, ``/etc/resolv.conf``;
  3. SSH authorized_keys (config keys + cloud-config ``ssh_authorized_keys``), fresh
     ed25519/ecdsa host keys for any missing (generated side by side);
  4. cloud-config ``write_files``; 5. sshd (``-D -e``) when the image has one;
  6. user-data: a ``#!`` script, or cloud-config ``runcmd`` as one ``sh`` script, started
     in the background (like cloud-init's final stage: a script that never ends must not
     keep sshd or the boot from finishing);
  7. print ``READY_LINE``; then reap children forever. SIGTERM/SIGINT: forward SIGTERM to
     every process of the instance, wait ``stop_timeout`` s, SIGKILL the rest, exit 0.

resolv.conf: ``config["nameservers"]`` when given; otherwise ``nameserver 127.0.0.1`` with
``timeout:1 attempts:1``. Nothing listens there, so a lookup gets "connection refused" at
once instead of stalling ~5 s on an unreachable resolver (``getfqdn`` in http.server).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import pwd
import select
import shlex
import signal
import socket
import subprocess
import sys
import time

from pocketstack.host import mounts

READY_LINE = "pocketstack-init: ready"
FAILED_LINE = "pocketstack-init: failed:"
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEV_NODES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8),
             "urandom": (1, 9), "tty": (5, 0)}
SSHD_CONFIG = "PermitRootLogin prohibit-password\nPasswordAuthentication no\n" \
              "KbdInteractiveAuthentication no\nUsePAM no\nSubsystem sftp internal-sftp\n"


def log(message: str) -> None:
    print(f"pocketstack-init: {message}", flush=True)


def mount_root(config: dict) -> str:
    root = config["root"]
    mounts.mount_root(root, config["lowers"], config["upper"], config["work"],
                      config.get("host_usr", False), config.get("usr_upper"),
                      config.get("usr_work"))
    return root


def mount_api_filesystems(root: str) -> None:
    nosuid_nodev_noexec = mounts.MS_NOSUID | mounts.MS_NODEV | mounts.MS_NOEXEC
    for sub in ("proc", "sys", "dev", "run", "tmp"):
        os.makedirs(f"{root}/{sub}", exist_ok=True)
    mounts.mount("proc", f"{root}/proc", "proc", nosuid_nodev_noexec)
    for sub in PROC_READ_ONLY:  # host-wide knobs (core_pattern, sysrq): read-only
        path = f"{root}/proc/{sub}"
        if not os.path.exists(path):  # e.g. a kernel without magic SysRq
            continue
        mounts.mount(path, path, None, mounts.MS_BIND | mounts.MS_REC)
        mounts.mount("", path, None, mounts.MS_BIND | mounts.MS_REMOUNT | mounts.MS_RDONLY
                     | nosuid_nodev_noexec)
    mounts.mount("sysfs", f"{root}/sys", "sysfs", nosuid_nodev_noexec | mounts.MS_RDONLY)
    mounts.mount("tmpfs", f"{root}/dev", "tmpfs", mounts.MS_NOSUID, "mode=755,size=1m")
    make_dev_nodes(f"{root}/dev")
    mounts.mount("devpts", f"{root}/dev/pts", "devpts", mounts.MS_NOSUID | mounts.MS_NOEXEC,
                 "newinstance,ptmxmode=0666,mode=620,gid=5")
    mounts.mount("tmpfs", f"{root}/dev/shm", "tmpfs", mounts.MS_NOSUID | mounts.MS_NODEV,
                 "mode=1777,size=64m")
    mounts.mount("tmpfs", f"{root}/run", "tmpfs", mounts.MS_NOSUID | mounts.MS_NODEV,
                 "mode=755,size=64m")
    mounts.mount("tmpfs", f"{root}/tmp", "tmpfs", mounts.MS_NOSUID | mounts.MS_NODEV,
                 "mode=1777,size=256m")


PROC_READ_ONLY = ("sys", "sysrq-trigger")
PR_CAPBSET_DROP = 24
# What processes of an instance keep (Docker's default set without MKNOD): enough for
# sshd, su, ping, servers on low ports; not mount, mknod, module loading, raw I/O, ptrace
# of other namespaces' processes, host sysctls or network reconfiguration.
KEPT_CAPABILITIES = {0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 29, 31}  # chown .. setfcap


def drop_capabilities() -> None:
    """Take every other capability out of the bounding set: whatever the init starts
    from now on (sshd, user-data, logins) can never hold them, even as root."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for number in range(64):
        if number not in KEPT_CAPABILITIES:
            libc.prctl(PR_CAPBSET_DROP, number, 0, 0, 0)  # EINVAL past the last: fine


def make_dev_nodes(dev: str) -> None:
    old_umask = os.umask(0)
    try:
        for name, (major, minor) in DEV_NODES.items():
            os.mknod(f"{dev}/{name}", 0o20666, os.makedev(major, minor))
        for sub in ("pts", "shm"):
            os.mkdir(f"{dev}/{sub}", 0o755)
    finally:
        os.umask(old_umask)
    links = {"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
             "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"}
    for name, target in links.items():
        os.symlink(target, f"{dev}/{name}")


def pivot_root(root: str) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    os.chdir(root)
    number = SYS_PIVOT_ROOT[os.uname().machine]
    if libc.syscall(number, b".", b".") != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"pivot_root: {os.strerror(code)}")
    mounts.unmount(".", detach=True)
    os.chdir("/")


def write_file(path: str, content: bytes | str, mode: int = 0o644, append: bool = False) -> None:
    os.makedirs(os.path.dirname(path) or "/", exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    with open(path, "ab" if append else "wb") as handle:
        handle.write(data)
    os.chmod(path, mode)


def write_identity(config: dict) -> None:
    hostname = config["hostname"]
    write_file("/etc/hostname", hostname + "\n")
    hosts = ["127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
             f"127.0.1.1\t{hostname}\n"]
    hosts += [f"{ip}\t{name}\n" for ip, name in config.get("hosts", [])]
    write_file("/etc/hosts", "".join(hosts))
    servers = config.get("nameservers") or ["127.0.0.1"]
    resolv = "".join(f"nameserver {server}\n" for server in servers)
    write_file("/etc/resolv.conf", resolv + "options timeout:1 attempts:1\n")


def root_home() -> str:
    try:
        return pwd.getpwnam("root").pw_dir
    except KeyError:
        return "/root"


def install_ssh(config: dict, cloud: dict) -> None:
    keys = list(config.get("authorized_keys", [])) + list(cloud.get("ssh_authorized_keys", []))
    if keys:
        ssh_dir = f"{root_home()}/.ssh"
        os.makedirs(ssh_dir, mode=0o700, exist_ok=True)
        path = f"{ssh_dir}/authorized_keys"
        existing = []
        if os.path.exists(path):
            with open(path) as handle:
                existing = handle.read().splitlines()
        fresh = [key.strip() for key in keys if key.strip() not in existing]
        write_file(path, "".join(f"{key}\n" for key in existing + fresh), 0o600)
    if not os.path.exists("/usr/sbin/sshd"):
        return
    os.makedirs("/etc/ssh", exist_ok=True)
    keygens = [subprocess.Popen(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f", key],
                                stdin=subprocess.DEVNULL)  # both at once: half the wait
               for kind in ("ed25519", "ecdsa")
               if not os.path.exists(key := f"/etc/ssh/ssh_host_{kind}_key")]
    for keygen in keygens:
        if keygen.wait() != 0:
            raise subprocess.CalledProcessError(keygen.returncode, keygen.args)
    if not os.path.exists("/etc/ssh/sshd_config"):
        write_file("/etc/ssh/sshd_config", SSHD_CONFIG)


def write_files(cloud: dict) -> None:
    for item in cloud.get("write_files", []) or []:
        content = item.get("content", "")
        encoding = str(item.get("encoding", "")).lower()
        if encoding in ("b64", "base64", "gz+b64", "gzip+base64", "gz+base64"):
            content = base64.b64decode(content)
        if "gz" in encoding:
            content = gzip.decompress(content)
        mode = int(str(item.get("permissions", "0644")), 8)
        write_file(item["path"], content, mode, append=bool(item.get("append")))
        if item.get("owner"):
            user, _, group = str(item["owner"]).partition(":")
            try:
                import shutil

                shutil.chown(item["path"], user, group or None)
            except (LookupError, OSError) as error:
                log(f"write_files: chown {item['path']}: {error}")


def child_env() -> dict:
    return {"PATH": PATH, "HOME": root_home(), "LANG": "C.UTF-8", "TERM": "linux"}


def start(argv: list[str]) -> subprocess.Popen | None:
    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, env=child_env(), cwd="/")
    except OSError as error:
        log(f"cannot start {argv[0]}: {error}")
        return None


def start_sshd() -> None:
    if os.path.exists("/usr/sbin/sshd"):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        start(["/usr/sbin/sshd", "-D", "-e"])


def start_user_data(config: dict, cloud: dict) -> None:
    raw = config.get("user_data") or ""
    if raw.startswith("#!"):
        path = "/var/lib/cloud/instance/user-data"
        write_file(path, raw, 0o700)
        log("running user-data script")
        start([path])
        return
    commands = cloud.get("runcmd") or []
    if commands:
        lines = [shlex.join(map(str, c)) if isinstance(c, list) else str(c) for c in commands]
        path = "/var/lib/cloud/instance/runcmd"
        write_file(path, "#!/bin/sh\n" + "\n".join(lines) + "\n", 0o700)
        log("running cloud-config runcmd")
        start(["/bin/sh", path])


class Reaper:
    """Reap every child; on SIGTERM/SIGINT stop the instance's processes and exit."""

    def __init__(self, stop_timeout: float) -> None:
        self.stop_timeout = stop_timeout
        self.stopping = False
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(signum, self.on_signal)

    def on_signal(self, signum, _frame) -> None:
        if signum in (signal.SIGTERM, signal.SIGINT):
            self.stopping = True

    def reap(self) -> bool:
        """Reap what exited; False when no child is left."""
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return False
            if pid == 0:
                return True

    def run(self) -> None:
        while not self.stopping:
            self.reap()
            select.select([self.wake_r], [], [], 5.0)
            os.read(self.wake_r, 512) if select.select([self.wake_r], [], [], 0)[0] else None
        self.shutdown()

    def shutdown(self) -> None:
        log("stopping")
        kill_all(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while self.reap() and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_all(signal.SIGKILL)
        log("stopped")
        sys.exit(0)


def kill_all(signum: int) -> None:
    try:
        os.kill(-1, signum)  # in a pid namespace: every process of it but PID 1
    except ProcessLookupError:
        pass


def boot(config: dict) -> None:
    cloud = config.get("cloud_config") or {}
    root = mount_root(config)
    mount_api_filesystems(root)
    socket.sethostname(config["hostname"])
    pivot_root(root)
    log("root mounted")
    write_identity(config)
    install_ssh(config, cloud)
    write_files(cloud)
    drop_capabilities()
    start_sshd()
    start_user_data(config, cloud)


def main(argv: list[str]) -> int:
    import ctypes  # noqa: F401 - must be loaded before pivot_root
    import shutil  # noqa: F401

    with open(argv[1]) as handle:
        config = json.load(handle)
    os.umask(0o022)
    reaper = Reaper(float(config.get("stop_timeout", 10)))
    try:
        boot(config)
    except Exception as error:  # noqa: BLE001 - the console log is the only place to say why
        log(f"failed: {error!r}")
        return 1
    log("ready")
    reaper.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
