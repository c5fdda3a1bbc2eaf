"""This host as Nova's host APIs describe it: one compute host, its services and capacity.

The one-process shape has a single hypervisor: the machine pocketstack runs on, named by
its hostname, in availability zone ``nova``; the scheduler and conductor live in zone
``internal``.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.config import Settings
from pocketstack.db.models.identity import Project
from pocketstack.services.compute.usage import project_usage

DEFAULT_ZONE = "nova"
INTERNAL_ZONE = "internal"
# binary, zone, integer id (Nova's ids before microversion 2.53)
SERVICES = (("nova-scheduler", INTERNAL_ZONE, 1), ("nova-conductor", INTERNAL_ZONE, 2),
            ("nova-compute", DEFAULT_ZONE, 3))


@dataclass(frozen=True)
class Host:
    name: str
    ip: str
    hypervisor_type: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    disk_free_gb: int

    def uuid_of(self, kind: str) -> str:
        """A stable UUID for this host's ``kind`` (hypervisor, or a service binary)."""
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{kind}.{self.name}"))


def _memory_mb() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError):
        return 0


def this_host(settings: Settings) -> Host:
    """Facts about the machine, read when asked (nothing here changes the host)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    disk = shutil.disk_usage(settings.data_dir)
    gib = 1024 ** 3
    return Host(name=socket.gethostname(), ip=settings.host, hypervisor_type=settings.driver,
                vcpus=os.cpu_count() or 1, memory_mb=_memory_mb(), disk_gb=disk.total // gib,
                disk_free_gb=disk.free // gib)


def total_usage(session: Session) -> dict[str, int]:
    """Servers, cores and RAM used on this host by every project."""
    total = {"instances": 0, "cores": 0, "ram": 0}
    for project_id in session.scalars(select(Project.id)):
        for key, value in project_usage(session, project_id).items():
            total[key] += value
    return total


def uptime_line() -> str:
    """The host's ``uptime`` line, the shape Nova's hypervisor uptime call returns."""
    try:
        with open("/proc/uptime") as source:
            seconds = int(float(source.read().split()[0]))
    except (OSError, ValueError, IndexError):
        seconds = 0
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    days, rest = divmod(seconds, 86400)
    clock = f"{rest // 3600}:{rest % 3600 // 60:02d}"
    since = f"{days} days, {clock}" if days else clock
    now = datetime.now().strftime("%H:%M:%S")
    return f" {now} up {since},  0 users,  load average: {load}"
