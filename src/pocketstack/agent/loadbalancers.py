"""Reconcilers for load balancers, through the load balancer driver.

``LoadBalancerReconciler`` converges one whole load balancer per key: PENDING_* → the
driver ``ensure``s its spec (a reload keeps established connections) and the rows go
ACTIVE; PENDING_DELETE → ``destroy``, then the rows and the VIP port go (the finaliser).
Its first pass visits every load balancer (a full resync) and ``sweep`` destroys load
balancers no row names. ``LoadBalancerHealthReconciler`` re-reads each ACTIVE load
balancer's health every ``HEALTH_INTERVAL`` s into the operating statuses, and hands one
that stopped running back to the first for repair.
"""

from __future__ import annotations

import logging
import threading

from pocketstack.agent.reconcile import DONE, Result
from pocketstack.db.models.loadbalancer import LoadBalancer
from pocketstack.drivers.loadbalancer.base import LoadBalancerDriver
from pocketstack.host import names
from pocketstack.services.loadbalancer import host_state
from pocketstack.services.loadbalancer.common import PENDING_DELETE
from pocketstack.services.runtime import Cloud

log = logging.getLogger(__name__)

HEALTH_INTERVAL = 2.0


class Repairs:
    """Load balancers found not running, to be ensured again (shared by both reconcilers)."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._lock = threading.Lock()

    def add(self, key: str) -> None:
        with self._lock:
            self._keys.add(key)

    def take(self) -> set[str]:
        with self._lock:
            keys, self._keys = self._keys, set()
            return keys


class LoadBalancerReconciler:
    """Safe to run for different load balancers at once (each is its own process and
    namespace)."""

    kind = "loadbalancer"
    parallel = True

    def __init__(self, cloud: Cloud, driver: LoadBalancerDriver, repairs: Repairs) -> None:
        self.cloud, self.driver, self.repairs = cloud, driver, repairs
        self._resynced = False

    def pending(self) -> list[str]:
        with self.cloud.db.session() as session:
            keys = host_state.pending(session)
            extra = self.repairs.take()
            if not self._resynced:
                self._resynced = True
                extra |= host_state.wanted(session)
        return keys + sorted(extra - set(keys))

    def ready(self, keys: list[str]) -> list[str]:
        """All but load balancers whose VIP port the network reconcilers have yet to apply
        (the host's guard drops traffic of a port it does not know)."""
        with self.cloud.db.session() as session:
            waiting = host_state.waiting_for_vip(session, keys)
        return [key for key in keys if key not in waiting]

    def reconcile(self, key: str) -> Result:
        with self.cloud.db.session() as session:
            lb = session.get(LoadBalancer, key)
            status = lb.provisioning_status if lb is not None else PENDING_DELETE
            missing = host_state.vip_missing(session, lb) if status != PENDING_DELETE else None
            if missing:  # permanent: the load balancer goes ERROR (and can be deleted)
                log.warning("load balancer %s: %s", key, missing)
                host_state.report_fault(session, key, missing)
                return DONE
            spec = host_state.spec(session, lb) if status != PENDING_DELETE else None
            generation = lb.generation if lb is not None else 0
        if spec is None:
            self.driver.destroy(key)
            with self.cloud.db.session() as session:
                host_state.finish_delete(session, key)
            return DONE
        self.driver.ensure(spec)
        stats = self.driver.stats(key)
        with self.cloud.db.session() as session:
            applied = host_state.finish_apply(session, key, generation, stats)
        return DONE if applied else Result(requeue_after=0.0)  # changed meanwhile: again

    def fail(self, key: str, message: str) -> None:
        with self.cloud.db.session() as session:
            host_state.report_fault(session, key, message)

    def sweep(self) -> None:
        """Destroy load balancers on the host that no row names. The host may know one
        only by the fragment of its id in kernel names: compared by fragment, so a live
        load balancer's namespace is never taken for a stale one."""
        with self.cloud.db.session() as session:
            keep = {names.fragment(key) for key in host_state.wanted(session)}
        for stale in sorted(self.driver.list_loadbalancers()):
            if names.fragment(stale) in keep:
                continue
            log.info("sweeping load balancer %s that no row names", stale)
            self.driver.destroy(stale)


class LoadBalancerHealthReconciler:
    """Reads the host's view of ACTIVE load balancers into their operating statuses."""

    kind = "loadbalancer_health"

    def __init__(self, cloud: Cloud, driver: LoadBalancerDriver, repairs: Repairs) -> None:
        self.cloud, self.driver, self.repairs = cloud, driver, repairs

    def pending(self) -> list[str]:
        with self.cloud.db.session() as session:
            return host_state.settled(session)

    def reconcile(self, key: str) -> Result:
        running = self.driver.is_running(key)
        stats = self.driver.stats(key) if running else None
        with self.cloud.db.session() as session:
            host_state.report_health(session, key, stats, running)
        if not running:
            log.warning("load balancer %s is not running; starting it again", key)
            self.repairs.add(key)
            self.cloud.wake_agent()
        return Result(requeue_after=HEALTH_INTERVAL)

    def fail(self, key: str, message: str) -> None:
        log.warning("reading the health of load balancer %s failed: %s", key, message)

    def sweep(self) -> None:
        """Nothing of its own on the host."""


def loadbalancer_reconcilers(cloud: Cloud, driver: LoadBalancerDriver) -> list:
    repairs = Repairs()
    return [LoadBalancerReconciler(cloud, driver, repairs),
            LoadBalancerHealthReconciler(cloud, driver, repairs)]
