"""The compute driver seam: what the agent asks of a hypervisor, and what it promises."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol


class PowerState(IntEnum):
    """Nova's power states, as ``OS-EXT-STS:power_state`` shows them."""

    NOSTATE = 0
    RUNNING = 1
    PAUSED = 3
    SHUTDOWN = 4
    CRASHED = 6
    SUSPENDED = 7


@dataclass(frozen=True)
class ComputeCapabilities:
    """What a driver can do; the API refuses (409) what the driver cannot."""

    real_instances: bool
    snapshot: bool = True
    power: bool = True
    console_log: bool = True
    interactive_console: bool = False


@dataclass(frozen=True)
class NicSpec:
    port_id: str
    mac_address: str
    ip_address: str
    prefix_length: int
    gateway: str | None
    network_id: str
    mtu: int = 1500


@dataclass(frozen=True)
class InstanceSpec:
    """Everything a driver needs to make one instance, read from desired state."""

    id: str
    name: str
    hostname: str
    image_id: str
    vcpus: int
    memory_mb: int
    disk_gb: int
    nics: tuple[NicSpec, ...] = ()
    user_data: bytes | None = None
    metadata: dict = field(default_factory=dict)
    public_keys: dict = field(default_factory=dict)
    # The image's data files (root filesystem tar layers), the image itself first, then
    # its parents (snapshots stack on the image they were taken from).
    image_layers: tuple[str, ...] = ()
    host_usr: bool = False  # the root image says "/usr is the host's /usr, read-only"
    nameservers: tuple[str, ...] = ()


class ConsoleSession(Protocol):
    """One interactive console: a login shell on a pseudo-terminal inside an instance.

    ``fileno()`` is readable (select/poll) when ``read`` has something; ``read`` never
    blocks: bytes, None when nothing is waiting, b"" once the shell has ended. ``write``
    types bytes; ``resize`` sets the terminal's rows and columns (the shell gets SIGWINCH).
    ``close`` ends the shell and every process it started in its session; calling it
    again does nothing.
    """

    def fileno(self) -> int: ...

    def read(self, size: int = 65536) -> bytes | None: ...

    def write(self, data: bytes) -> None: ...

    def resize(self, rows: int, cols: int) -> None: ...

    def close(self) -> None: ...


class ComputeDriver(Protocol):
    capabilities: ComputeCapabilities

    def spawn(self, spec: InstanceSpec) -> None:
        """Make the instance and start it.

        Spawning an instance that already exists and runs succeeds without change. A
        failed spawn removes any partial instance before raising DriverError.
        """

    def destroy(self, instance_id: str) -> None:
        """Stop and remove the instance and everything it owns on the host.

        Succeeds when the instance is already gone.
        """

    def power_off(self, instance_id: str) -> None:
        """Stop the instance, keeping its disk. Succeeds when already stopped."""

    def power_on(self, instance_id: str, spec: InstanceSpec) -> None:
        """Start a stopped instance. Succeeds when already running."""

    def reboot(self, instance_id: str, spec: InstanceSpec, hard: bool = False) -> None:
        """Restart the instance (a soft reboot asks its init first)."""

    def power_state(self, instance_id: str) -> PowerState:
        """The instance's actual state; NOSTATE when the host has no such instance."""

    def snapshot(self, instance_id: str) -> Iterator[bytes]:
        """Stream the instance's disk as a new image's data (chunks of bytes)."""

    def console_log(self, instance_id: str, length: int | None = None) -> str:
        """The last ``length`` lines the instance wrote to its console (all when None)."""

    def open_console(self, instance_id: str, rows: int = 24, cols: int = 80) -> ConsoleSession:
        """A login shell as root inside the running instance (only drivers whose
        capabilities say ``interactive_console``). The caller must ``close`` it. Raises
        DriverError (temporary) when the instance is not running."""

    def list_instances(self) -> set[str]:
        """IDs of every instance of this deployment on the host (for mark and sweep)."""

    def cpu_seconds(self, instance_id: str) -> float:
        """CPU time the instance's processes have used since it started, in seconds (a
        counter: rates come from two reads). Raises DriverError (temporary) when the host
        has no such running instance or cannot tell."""
