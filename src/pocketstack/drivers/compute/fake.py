"""The fake compute driver: instances are records in memory, every step instant.

A first-class driver for API tests and for users without root. Failures are injected
with ``fail_spawn``: a regular expression matched against server names (from the
environment variable ``POCKETSTACK_FAKE_FAIL_SPAWN`` when the cloud runs as a process).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from pocketstack.drivers.compute.base import ComputeCapabilities, InstanceSpec, PowerState
from pocketstack.errors import DriverError


@dataclass
class FakeInstance:
    spec: InstanceSpec
    state: PowerState = PowerState.RUNNING
    console: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0


class FakeComputeDriver:
    capabilities = ComputeCapabilities(real_instances=False)

    def __init__(self, fail_spawn: str | None = None) -> None:
        self._instances: dict[str, FakeInstance] = {}
        self._lock = threading.Lock()
        self._fail_spawn = re.compile(fail_spawn) if fail_spawn else None

    def fail_spawn_matching(self, pattern: str | None) -> None:
        """From now on, spawning a server whose name matches ``pattern`` fails (None: never)."""
        self._fail_spawn = re.compile(pattern) if pattern else None

    def spawn(self, spec: InstanceSpec) -> None:
        if self._fail_spawn and self._fail_spawn.search(spec.name):
            raise DriverError(f"Injected spawn failure for server {spec.name}.")
        with self._lock:
            if spec.id in self._instances:
                return
            instance = FakeInstance(spec)
            instance.console.append(f"[    0.000000] pocketstack fake instance {spec.hostname}")
            for nic in spec.nics:
                instance.console.append(f"eth: {nic.ip_address}/{nic.prefix_length} {nic.mac_address}")
            instance.console.append(f"{spec.hostname} login:")
            self._instances[spec.id] = instance

    def destroy(self, instance_id: str) -> None:
        with self._lock:
            self._instances.pop(instance_id, None)

    def _get(self, instance_id: str) -> FakeInstance:
        instance = self._instances.get(instance_id)
        if instance is None:
            raise DriverError(f"Instance {instance_id} is not on this host.", permanent=False)
        return instance

    def power_off(self, instance_id: str) -> None:
        self._get(instance_id).state = PowerState.SHUTDOWN

    def power_on(self, instance_id: str, spec: InstanceSpec) -> None:
        with self._lock:
            instance = self._instances.setdefault(instance_id, FakeInstance(spec))
        instance.state = PowerState.RUNNING

    def reboot(self, instance_id: str, spec: InstanceSpec, hard: bool = False) -> None:
        self.power_on(instance_id, spec)
        self._get(instance_id).console.append("reboot: Restarting system")

    def power_state(self, instance_id: str) -> PowerState:
        instance = self._instances.get(instance_id)
        return instance.state if instance else PowerState.NOSTATE

    def snapshot(self, instance_id: str) -> Iterator[bytes]:
        spec = self._get(instance_id).spec
        yield f"fake snapshot of {spec.name} ({spec.image_id})\n".encode()

    def console_log(self, instance_id: str, length: int | None = None) -> str:
        lines = self._get(instance_id).console
        return "\n".join(lines[-length:] if length else lines) + "\n"

    def list_instances(self) -> set[str]:
        with self._lock:
            return set(self._instances)

    def cpu_seconds(self, instance_id: str) -> float:
        return self._get(instance_id).cpu_seconds

    def add_cpu_seconds(self, instance_id: str, seconds: float) -> None:
        """Tests: the instance used ``seconds`` more CPU time."""
        self._get(instance_id).cpu_seconds += seconds
