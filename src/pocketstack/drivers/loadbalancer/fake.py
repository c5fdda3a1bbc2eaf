"""The fake load balancer driver: load balancers are specs in memory, stats are settable.

A first-class driver for API tests and users without root. Member health follows the
spec (``UP`` when its pool has a health monitor, ``NO_CHECK`` without, ``MAINT`` when the
member is disabled) until a test sets stats with ``set_stats``. Failures are injected with
``inject_failure``: a regular expression matched against load balancer names (from the
environment variable ``POCKETSTACK_FAKE_FAIL_LOADBALANCER`` when the cloud runs as a
process).
"""

from __future__ import annotations

import re
import threading

from pocketstack.drivers.loadbalancer.base import (
    LoadBalancerCapabilities,
    LoadBalancerSpec,
    LoadBalancerStats,
    MemberStats,
    PoolSpec,
)
from pocketstack.errors import DriverError


class FakeLoadBalancerDriver:
    capabilities = LoadBalancerCapabilities(real_load_balancing=False)

    def __init__(self, fail: str | None = None, *, permanent: bool = True) -> None:
        self.loadbalancers: dict[str, LoadBalancerSpec] = {}
        self._stats: dict[str, LoadBalancerStats] = {}
        self._lock = threading.Lock()
        self.inject_failure(fail, permanent=permanent)

    def inject_failure(self, pattern: str | None, *, permanent: bool = True) -> None:
        """Fail ``ensure`` for every load balancer whose name matches ``pattern``."""
        self._fail = re.compile(pattern) if pattern else None
        self._permanent = permanent

    def ensure(self, spec: LoadBalancerSpec) -> None:
        if self._fail and spec.name and self._fail.search(spec.name):
            raise DriverError(f"Injected failure for load balancer {spec.name}.",
                              permanent=self._permanent)
        with self._lock:
            self.loadbalancers[spec.id] = spec

    def destroy(self, loadbalancer_id: str) -> None:
        with self._lock:
            self.loadbalancers.pop(loadbalancer_id, None)
            self._stats.pop(loadbalancer_id, None)

    def is_running(self, loadbalancer_id: str) -> bool:
        with self._lock:
            return loadbalancer_id in self.loadbalancers

    def set_stats(self, loadbalancer_id: str, stats: LoadBalancerStats | None) -> None:
        """What ``stats`` answers from now on (None: back to the spec's defaults)."""
        with self._lock:
            if stats is None:
                self._stats.pop(loadbalancer_id, None)
            else:
                self._stats[loadbalancer_id] = stats

    def stats(self, loadbalancer_id: str) -> LoadBalancerStats:
        with self._lock:
            if loadbalancer_id in self._stats:
                return self._stats[loadbalancer_id]
            spec = self.loadbalancers.get(loadbalancer_id)
        if spec is None:
            return LoadBalancerStats()
        members = {m.id: MemberStats(status=status)
                   for pool in spec.pools for m, status in _member_health(pool)}
        return LoadBalancerStats(members=members)

    def list_loadbalancers(self) -> set[str]:
        with self._lock:
            return set(self.loadbalancers)


def _member_health(pool: PoolSpec):
    monitored = pool.health_monitor is not None and pool.health_monitor.admin_state_up
    for member in pool.members:
        if not member.admin_state_up:
            yield member, "MAINT"
        elif member.weight == 0:
            yield member, "DRAIN"
        else:
            yield member, "UP" if monitored else "NO_CHECK"
