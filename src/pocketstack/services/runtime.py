"""The pieces one running cloud shares: settings, state store and the agent's doorbell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pocketstack.config import Settings
from pocketstack.db.session import Database
from pocketstack.drivers.compute.base import ComputeCapabilities, ComputeDriver
from pocketstack.drivers.loadbalancer.base import LoadBalancerDriver


@dataclass
class Cloud:
    """Shared by the API and the agent of one process.

    ``compute_driver`` is read by the API only for read-only queries the one-process shape
    answers locally (console output); everything that changes a host goes through the agent.
    ``loadbalancer_driver`` likewise answers load balancer statistics.
    """

    settings: Settings
    db: Database
    compute_driver: ComputeDriver | None = None
    loadbalancer_driver: LoadBalancerDriver | None = None
    wake_agent: Callable[[], None] = field(default=lambda: None)

    @property
    def compute_capabilities(self) -> ComputeCapabilities:
        if self.compute_driver is None:
            return ComputeCapabilities(real_instances=False)
        return self.compute_driver.capabilities
