"""The pieces one running cloud shares: settings, state store and the agent's doorbell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pocketstack.config import Settings
from pocketstack.db.session import Database
from pocketstack.drivers.compute.base import ComputeCapabilities


@dataclass
class Cloud:
    settings: Settings
    db: Database
    compute_driver_capabilities: ComputeCapabilities = field(
        default_factory=lambda: ComputeCapabilities(real_instances=False)
    )
    wake_agent: Callable[[], None] = field(default=lambda: None)
