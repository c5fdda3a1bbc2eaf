"""Metric readers of scaling groups: each returns the group's total load, one number.

Every metric is a group total, so ``target`` is always per server:
``loadbalancer_connections`` (connections in flight at the group's load balancer),
``loadbalancer_request_rate`` (its requests per second), ``http_regex`` (group 1 of a
regular expression searched in an HTTP GET of a URL, e.g. Apache's ``server-status``),
``cpu`` (the sum of the in-service servers' CPU %, i.e. average × servers: 100 is one
busy CPU). A value that cannot be read raises ``MetricUnavailable`` with the reason.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import httpx

from pocketstack.errors import DriverError

HTTP_TIMEOUT = 2.0
SAMPLE_TTL = 60.0


class MetricUnavailable(Exception):
    """The metric could not be read now; the message says why."""


class MetricWarmingUp(MetricUnavailable):
    """No value yet, and nothing wrong: a rate needs a second sample, a CPU metric a
    server in service."""


@dataclass(frozen=True)
class MetricSource:
    """What a read needs of a group, taken from the state store beforehand."""

    group_id: str
    metric: dict | None
    loadbalancer_id: str | None = None
    server_ids: tuple[str, ...] = ()  # servers in service


class MetricReaders:
    def __init__(self, cloud) -> None:
        self.cloud = cloud
        self._cpu_samples: dict[str, tuple[float, float]] = {}  # server → (when, cpu s)
        self._lock = threading.Lock()

    def read(self, source: MetricSource) -> float:
        kind = source.metric["type"]
        if kind == "http_regex":
            return read_http_regex(source.metric["url"], source.metric["regex"])
        if kind == "cpu":
            return self._cpu(source.server_ids)
        stats = self._stats(source)
        if kind == "loadbalancer_connections":
            return float(stats.active_connections)
        return float(stats.request_rate)

    def member_sessions(self, source: MetricSource) -> dict[str, int] | None:
        """Current sessions per pool member of the group's load balancer (None: unknown)."""
        if source.loadbalancer_id is None:
            return None
        try:
            stats = self._stats(source)
        except MetricUnavailable:
            return None
        return {member_id: m.current_sessions for member_id, m in stats.members.items()}

    def _stats(self, source: MetricSource):
        driver = getattr(self.cloud, "loadbalancer_driver", None)
        if driver is None or source.loadbalancer_id is None:
            raise MetricUnavailable("the group's pool has no load balancer with statistics")
        try:
            return driver.stats(source.loadbalancer_id)
        except (DriverError, OSError) as exc:
            raise MetricUnavailable(f"load balancer {source.loadbalancer_id}: {exc}") from None

    def _cpu(self, server_ids: tuple[str, ...]) -> float:
        if not server_ids:
            raise MetricWarmingUp("no server in service to measure")
        now, total, measured = time.monotonic(), 0.0, 0
        for server_id in server_ids:
            try:
                used = self.cloud.compute_driver.cpu_seconds(server_id)
            except DriverError:
                continue
            with self._lock:
                before = self._cpu_samples.get(server_id)
                self._cpu_samples[server_id] = (now, used)
            if before is not None and now > before[0]:
                total += 100.0 * max(0.0, used - before[1]) / (now - before[0])
                measured += 1
        self._forget_older_than(now - SAMPLE_TTL)
        if not measured:
            raise MetricWarmingUp("no CPU sample yet (a second one comes with the next read)")
        return total * len(server_ids) / measured  # servers not measured count as average

    def _forget_older_than(self, moment: float) -> None:
        """Drop samples of servers no group read lately (they left their group)."""
        with self._lock:
            for server_id, (when, _used) in list(self._cpu_samples.items()):
                if when < moment:
                    del self._cpu_samples[server_id]


def read_http_regex(url: str, regex: str) -> float:
    """Group 1 of ``regex`` searched in the body of ``GET url`` (2 s timeout)."""
    try:
        response = httpx.get(url, timeout=HTTP_TIMEOUT, trust_env=False)
    except httpx.HTTPError as exc:
        raise MetricUnavailable(f"GET {url}: {exc or type(exc).__name__}") from None
    if response.status_code != 200:
        raise MetricUnavailable(f"GET {url} answered {response.status_code}")
    found = re.search(regex, response.text)
    if found is None:
        raise MetricUnavailable(f"the regex found nothing in GET {url}")
    try:
        return float(found.group(1))
    except (TypeError, ValueError):
        raise MetricUnavailable(f"group 1 of the regex is not a number: {found.group(1)!r}") \
            from None
