"""The namespace compute driver: an instance is Linux namespaces, an overlay root, a cgroup.

Per instance (``id`` = the server id):
  * ``<data_dir>/instances/<id>/``: ``record.json`` (what was made: netns, cgroup, host
    ends of the veths; written before anything else, so ``destroy`` finds all of it even
    after a crash mid-spawn), the ``host.instance`` run files (``config.json``,
    ``console.log``, ``launcher``, ``root/``), and the writable ``upper``/``work`` (plus
    ``usr-upper``/``usr-work`` when the image runs over the host's ``/usr``);
  * network namespace ``kernel_name(prefix, "instance_ns", id)`` with, per NIC, a veth:
    host end ``kernel_name(prefix, "port", port_id)`` on the network's bridge
    ``kernel_name(prefix, "bridge", network_id)`` (made by the network driver; missing =
    a temporary error), instance end ``eth<N>`` with the NIC's MAC, address, MTU and, on
    the first NIC with a gateway, the default route;
  * cgroup ``kernel_name(prefix, "cgroup", id)``: memory = flavor RAM, CPU quota =
    vCPUs, a pids ceiling (``settings.extra["pids_max"]``, default ``PIDS_MAX``);
  * image layers ``<data_dir>/layers/<image_id>``, shared (``layers.LayerCache``).

Process death: instances are not children that die with pocketstack. Their launchers run
in their own session, so a kill -9 (or a stop) of pocketstack leaves them running, like
VMs under a restarted nova-compute; on restart the launcher files (pid + start time) find
them again. Mark and sweep (``list_instances`` + ``destroy``) covers what no server row
names any more: instance dirs, launcher processes, namespaces and cgroups of the prefix.
``purge(prefix)`` removes every namespace and cgroup of a prefix with no data dir at all.

Power: ``power_off`` stops the processes (SIGTERM, then SIGKILL) and keeps the disk, the
namespace and the veths; ``power_on``/``spawn`` re-ensure everything and start again.
``spawn`` returns once the init reports ready (``BOOT_TIMEOUT``); a spawn that fails
removes everything only when it created the instance (a failing start of a stopped
instance keeps its disk). ``snapshot`` pauses a running instance while tar reads its
upper dirs (``snapshots``). ``open_console`` starts a login shell on a pty inside the
instance (``host.console``).

Disk: an instance whose flavor has a root disk (``disk_gb`` > 0, fixed in ``record.json``
when the instance is made) keeps its writable dirs on its own ext4 image of that size
(``host.disks``): ``<prefix>v<fragment>.img`` in its directory, mounted on ``disk/``
through a loop device before the overlay is made, and ``upper``, ``work``, ``usr-upper``,
``usr-work`` are symlinks into it (so snapshots and the overlay's options keep their
paths). A full disk is ENOSPC inside the instance. ``destroy`` and ``purge`` unmount and
detach it; after a reboot, ``spawn`` and ``snapshot`` mount it again. ``disk_gb`` = 0
means no limit (as Nova): the dirs live on the data dir's filesystem.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator

from pocketstack.config import Settings
from pocketstack.drivers.compute import inventory, snapshots
from pocketstack.drivers.compute.base import (
    ComputeCapabilities,
    InstanceSpec,
    NicSpec,
    PowerState,
)
from pocketstack.drivers.compute.boot import wait_booted
from pocketstack.drivers.compute.layers import LayerCache
from pocketstack.errors import DriverError
from pocketstack.host import cgroups, disks, instance, links, mounts, names, netns
from pocketstack.host.console import Shell, open_shell
from pocketstack.host.proc import HostError

PIDS_MAX = 1024
STOP_TIMEOUT = 5.0  # the init's grace for its processes after SIGTERM
BOOT_TIMEOUT = 30.0
WRITABLE_DIRS = ("upper", "work", "usr-upper", "usr-work")
HOST_ERRORS = (HostError, OSError, subprocess.SubprocessError, ValueError)

log = logging.getLogger(__name__)


class NamespaceComputeDriver:
    capabilities = ComputeCapabilities(real_instances=True, interactive_console=True)

    def __init__(self, settings: Settings, owns_host: bool = True) -> None:
        """``owns_host``: this process runs the agent, so it deletes what a crash left
        half done (layer extractions). The API alone beside a ``pocketstack agent`` passes
        False: it only answers read-only queries and must not remove a layer the agent is
        extracting right now."""
        self.prefix = names.check_prefix(settings.prefix)
        self.instances_dir = str(settings.data_dir / "instances")
        self.pids_max = int(settings.extra.get("pids_max", PIDS_MAX))
        os.makedirs(self.instances_dir, mode=0o700, exist_ok=True)
        self.layers = LayerCache(str(settings.data_dir / "layers"))
        if owns_host:
            self.layers.remove_partial()

    # names and records

    def _dir(self, instance_id: str, *parts: str) -> str:
        return os.path.join(self.instances_dir, instance_id, *parts)

    def _netns(self, instance_id: str) -> str:
        return names.kernel_name(self.prefix, "instance_ns", instance_id)

    def _cgroup(self, instance_id: str) -> str:
        return names.kernel_name(self.prefix, "cgroup", instance_id)

    def _read_record(self, instance_id: str) -> dict:
        try:
            with open(self._dir(instance_id, "record.json")) as handle:
                return json.load(handle)
        except (FileNotFoundError, ValueError):
            return {}

    def _write_record(self, spec: InstanceSpec) -> None:
        made = self._read_record(spec.id)  # the disk's size is fixed when it is made
        record = {"id": spec.id, "netns": self._netns(spec.id), "cgroup": self._cgroup(spec.id),
                  "ports": [self._port(nic) for nic in spec.nics], "host_usr": spec.host_usr,
                  "disk_gb": made.get("disk_gb", 0) if made else max(spec.disk_gb, 0)}
        path = self._dir(spec.id, "record.json")
        with open(path + ".new", "w") as handle:
            json.dump(record, handle)
        os.replace(path + ".new", path)

    def _port(self, nic: NicSpec) -> str:
        return names.kernel_name(self.prefix, "port", nic.port_id)

    # spawn and power

    def spawn(self, spec: InstanceSpec) -> None:
        if instance.is_running(self._dir(spec.id)):
            return
        fresh = not os.path.isdir(self._dir(spec.id))
        try:
            if not fresh:
                # A crash between starting a launcher and recording it leaves one running
                # that is_running cannot see: without this the instance would run twice.
                self._stop(spec.id, timeout=0)
            self._start(spec)
        except BaseException as error:
            self._undo(spec.id, fresh)
            if isinstance(error, DriverError):
                raise
            if isinstance(error, HOST_ERRORS):
                raise DriverError(f"Could not start instance {spec.id}: {error}") from error
            raise

    def _undo(self, instance_id: str, fresh: bool) -> None:
        try:
            if fresh:
                self.destroy(instance_id)
            else:
                self._stop(instance_id, timeout=0)
        except (DriverError, *HOST_ERRORS):  # the spawn's own error is the one to report
            log.exception("cleaning up after the failed start of %s", instance_id)

    def _start(self, spec: InstanceSpec) -> None:
        if not spec.image_layers:
            raise DriverError("The namespace driver boots only from an image.")
        lowers = self.layers.ensure_all(spec.image_layers)
        os.makedirs(self._dir(spec.id), mode=0o700, exist_ok=True)
        self._write_record(spec)
        self._attach_disk(spec.id)
        netns.create(self._netns(spec.id))
        self._plug(spec)
        console = self._dir(spec.id, "console.log")
        console_start = os.path.getsize(console) if os.path.exists(console) else 0
        instance.spawn(self._host_spec(spec, lowers))
        wait_booted(self._dir(spec.id), console_start, BOOT_TIMEOUT)

    def _attach_disk(self, instance_id: str) -> None:
        """Mount the instance's disk (made on first use) under ``disk/`` with its writable
        dirs linked into it; nothing when its flavor has no root disk."""
        size_gb = self._read_record(instance_id).get("disk_gb", 0)
        if not size_gb:
            return
        image = self._dir(instance_id, disks.image_name(self.prefix, instance_id))
        disks.create(image, size_gb)
        disks.attach(image, self._dir(instance_id, "disk"))
        for sub in WRITABLE_DIRS:
            os.makedirs(self._dir(instance_id, "disk", sub), exist_ok=True)
            if not os.path.islink(link := self._dir(instance_id, sub)):
                os.symlink(os.path.join("disk", sub), link)

    def _plug(self, spec: InstanceSpec) -> None:
        ns, routed = self._netns(spec.id), False
        for index, nic in enumerate(spec.nics):
            bridge = names.kernel_name(self.prefix, "bridge", nic.network_id)
            if not links.link_exists(bridge):
                raise DriverError(f"Network {nic.network_id} is not ready on this host yet.",
                                  permanent=False)
            gateway = nic.gateway if nic.gateway and not routed else None
            routed = routed or gateway is not None
            links.ensure_port(self._port(nic), bridge, ns, f"eth{index}", mac=nic.mac_address,
                              mtu=nic.mtu, cidrs=[f"{nic.ip_address}/{nic.prefix_length}"],
                              gateway=gateway)

    def _host_spec(self, spec: InstanceSpec, lowers: list[str]) -> instance.InstanceSpec:
        user_data = spec.user_data.decode(errors="replace") if spec.user_data else None
        return instance.InstanceSpec(
            run_dir=self._dir(spec.id), netns=self._netns(spec.id), hostname=spec.hostname,
            lowers=lowers, upper=self._dir(spec.id, "upper"), work=self._dir(spec.id, "work"),
            host_usr=spec.host_usr, usr_upper=self._dir(spec.id, "usr-upper"),
            usr_work=self._dir(spec.id, "usr-work"),
            authorized_keys=[str(key) for key in spec.public_keys.values() if key],
            user_data=user_data, nameservers=list(spec.nameservers),
            cgroup=self._cgroup(spec.id), memory_mb=spec.memory_mb or None,
            vcpus=spec.vcpus or None, pids_max=self.pids_max, stop_timeout=STOP_TIMEOUT)

    def _stop(self, instance_id: str, timeout: float) -> None:
        """Stop the processes (gracefully within ``timeout``) and remove the cgroup."""
        run_dir = self._dir(instance_id)
        instance.stop(run_dir, timeout=timeout, cgroup=None)
        inventory.kill_launchers(self.instances_dir, instance_id)
        cgroups.remove(self._cgroup(instance_id))
        instance.is_running(run_dir)  # reaps our own launcher child, if it was one

    def _require(self, instance_id: str) -> str:
        run_dir = self._dir(instance_id)
        if not os.path.isdir(run_dir):
            raise DriverError(f"Instance {instance_id} is not on this host.", permanent=False)
        return run_dir

    def power_off(self, instance_id: str) -> None:
        self._require(instance_id)
        try:
            self._stop(instance_id, timeout=STOP_TIMEOUT + 3)
        except HOST_ERRORS as error:
            raise DriverError(f"Could not stop instance {instance_id}: {error}") from error

    def power_on(self, instance_id: str, spec: InstanceSpec) -> None:
        self.spawn(spec)

    def reboot(self, instance_id: str, spec: InstanceSpec, hard: bool = False) -> None:
        if os.path.isdir(self._dir(instance_id)):
            try:
                self._stop(instance_id, timeout=0 if hard else STOP_TIMEOUT + 3)
            except HOST_ERRORS as error:
                raise DriverError(f"Could not stop instance {instance_id}: {error}") from error
        self.spawn(spec)

    def power_state(self, instance_id: str) -> PowerState:
        run_dir = self._dir(instance_id)
        if instance.is_running(run_dir):
            return PowerState.RUNNING
        return PowerState.SHUTDOWN if os.path.isdir(run_dir) else PowerState.NOSTATE

    def cpu_seconds(self, instance_id: str) -> float:
        try:
            return cgroups.cpu_seconds(self._cgroup(instance_id))
        except (OSError, ValueError) as exc:
            raise DriverError(f"CPU time of instance {instance_id} is unknown: {exc}",
                              permanent=False) from None

    # removal and inventory

    def destroy(self, instance_id: str) -> None:
        record = self._read_record(instance_id)
        try:
            self._stop(instance_id, timeout=0)
            for port in record.get("ports", []):
                links.delete_link(port)
            netns.delete(self._netns(instance_id))
            disks.release(disks.image_name(self.prefix, instance_id), self.instances_dir)
            self._remove_dir(instance_id)
        except HOST_ERRORS as error:
            raise DriverError(f"Could not remove instance {instance_id}: {error}",
                              permanent=False) from error

    def _remove_dir(self, instance_id: str) -> None:
        run_dir = os.path.realpath(self._dir(instance_id))
        if not os.path.isdir(run_dir):
            return
        with open("/proc/self/mountinfo") as handle:
            points = [line.split()[4] for line in handle]
        for point in sorted((p for p in points if p.startswith(run_dir + "/")), reverse=True):
            mounts.unmount(point)
        shutil.rmtree(run_dir)

    def list_instances(self) -> set[str]:
        return inventory.all_instances(self.prefix, self.instances_dir)

    # disk and console

    def snapshot(self, instance_id: str) -> Iterator[bytes]:
        self._require(instance_id)
        host_usr = bool(self._read_record(instance_id).get("host_usr"))
        try:
            self._attach_disk(instance_id)
            return snapshots.layer_of(self._dir(instance_id), self._cgroup(instance_id),
                                      host_usr)
        except HOST_ERRORS as error:
            raise DriverError(f"Could not snapshot instance {instance_id}: {error}") from error

    def console_log(self, instance_id: str, length: int | None = None) -> str:
        lines = instance.console_log(self._require(instance_id)).splitlines()
        return "".join(line + "\n" for line in (lines[-length:] if length else lines))

    def open_console(self, instance_id: str, rows: int = 24,
                     cols: int = 80) -> Shell:
        run_dir = self._require(instance_id)
        try:
            return open_shell(run_dir, self._cgroup(instance_id), rows, cols)
        except HOST_ERRORS as error:
            raise DriverError(f"Could not open a console on instance {instance_id}: {error}",
                              permanent=False) from error


def purge(prefix: str) -> None:
    """Kill and remove every instance cgroup and namespace of ``prefix`` and unmount and
    detach its disks (``pocketstack purge``: the data dir, and with it instance dirs, disk
    images and layers, goes next)."""
    for name in names.owned(prefix, cgroups.list_names(prefix), "cgroup"):
        cgroups.remove(name)
    for name in netns.list_names(prefix, "instance_ns"):
        netns.delete(name)
    disks.purge(prefix)
