"""What the namespace driver finds of its instances on the host, for mark and sweep.

An instance leaves up to five kinds of trace: its directory under ``instances_dir``
(named by the server id), its network namespace, cgroup and disk's loop device (named
``kernel_name(prefix, kind, id)``, which keep only an 8-char fragment of the id), and its
launcher process (``... config.json`` under its directory on the command line). A
namespace or cgroup whose directory is gone maps back to the bare fragment, which is a
valid id for ``destroy``: ``kernel_name`` of a fragment is the same name.
"""

from __future__ import annotations

import os
import signal

from pocketstack.host import cgroups, disks, names, netns

CONFIG_FILE = "config.json"


def instance_dirs(instances_dir: str) -> set[str]:
    try:
        entries = os.listdir(instances_dir)
    except FileNotFoundError:
        return set()
    return {name for name in entries if not name.startswith(".")}


def kernel_fragments(prefix: str) -> set[str]:
    """Fragments of this prefix's instance namespaces, cgroups and attached disks."""
    found = set(netns.list_names(prefix, "instance_ns"))
    found.update(names.owned(prefix, cgroups.list_names(prefix), "cgroup"))
    return {names.parse(prefix, name).fragment for name in found} | disks.fragments(prefix)


def _own_pid_ns() -> str:
    return os.readlink("/proc/self/ns/pid")


def launcher_pids(instances_dir: str) -> dict[int, str]:
    """``{pid: instance id}`` of processes of this host's pid namespace that run an
    instance under ``instances_dir`` (launchers; processes inside instances live in their
    own pid namespace and are never matched, whatever they put on their command line)."""
    marker = instances_dir.rstrip("/").encode() + b"/"
    own = _own_pid_ns()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
            if not any(arg.startswith(marker) for arg in argv):
                continue
            if os.readlink(f"/proc/{entry}/ns/pid") != own:
                continue
        except OSError:
            continue
        for arg in argv:
            rest = arg[len(marker):].decode(errors="replace")
            if arg.startswith(marker) and rest.endswith("/" + CONFIG_FILE):
                found[int(entry)] = rest.split("/", 1)[0]
    return found


def kill_launchers(instances_dir: str, instance_id: str) -> None:
    """SIGKILL the launchers of ``instance_id`` (their ``--kill-child`` takes the init and
    so the whole pid namespace along)."""
    for pid, owner in launcher_pids(instances_dir).items():
        if owner == instance_id:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def all_instances(prefix: str, instances_dir: str) -> set[str]:
    """Every instance id (or bare fragment) of this deployment found on the host."""
    ids = instance_dirs(instances_dir) | set(launcher_pids(instances_dir).values())
    by_fragment = {names.fragment(i): i for i in ids}
    ids.update(by_fragment.get(frag, frag) for frag in kernel_fragments(prefix))
    return ids
