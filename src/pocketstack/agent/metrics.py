"""Metric readers of scaling groups: each returns the group's total load, one number.

Every metric is a group total, so ``target`` is always per server:
``loadbalancer_connections`` (connections in flight at the group's load balancer),
``loadbalancer_request_rate`` (its requests per second), ``http_regex`` (group 1 of a
regular expression searched in an HTTP GET of a URL, e.g. Apache's ``server-status``),
``cpu`` (the sum of the in-service servers' CPU %, i.e. average × servers: 100 is one
busy CPU). A value that cannot be read raises ``MetricUnavailable`` with the reason.

HTTP reads are the only ones that wait on something a tenant controls, so they are
bounded (``HTTP_DEADLINE`` s of wall time for the whole GET, ``BODY_CAP`` bytes,
``REGEX_TIMEOUT`` s of matching, which the ``regex`` module does without holding the
GIL) and run on a small pool of their own (``HTTP_WORKERS`` threads), at most one per
group at a time: a scaling pass waits at most ``INLINE_WAIT`` s for its group's read and
otherwise goes on without a value (the next pass takes the result). The URL's target
is checked against the state store before each read (``MetricSource.refused``).
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import regex as regex_engine

from pocketstack.agent import http_get
from pocketstack.errors import DriverError
from pocketstack.services.autoscaling import patterns

HTTP_DEADLINE = 2.0
BODY_CAP = 64 * 1024
REGEX_TIMEOUT = 0.2
HTTP_WORKERS = 4
INLINE_WAIT = 0.25
SAMPLE_TTL = 60.0
CLOSED_TO_NEW = ("DRAIN", "DOWN", "MAINT")  # member statuses that get no new session


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
    refused: str | None = None  # why the http_regex url may not be read now (None: it may)
    device: str | None = None  # the host interface the GET must leave by (None: any)


class MetricReaders:
    def __init__(self, cloud, inline_wait: float = INLINE_WAIT) -> None:
        self.cloud = cloud
        self._cpu_samples: dict[str, tuple[float, float]] = {}  # server → (when, cpu s)
        self._lock = threading.Lock()
        self.http = HttpReads(inline_wait)

    def read(self, source: MetricSource) -> float:
        kind = source.metric["type"]
        if kind == "http_regex":
            if source.refused:
                raise MetricUnavailable(source.refused)
            return self.http.read(source.group_id, source.metric["url"], source.metric["regex"],
                                  source.device)
        if kind == "cpu":
            return self._cpu(source.server_ids)
        stats = self._stats(source)
        if kind == "loadbalancer_connections":
            return float(stats.active_connections)
        return float(stats.request_rate)

    def member_sessions(self, source: MetricSource) -> dict[str, int | None] | None:
        """Current sessions per pool member of the group's load balancer (None: unknown).
        A member that may still be given new sessions (not DRAIN, DOWN or MAINT: e.g. a
        load balancer process still runs a configuration where it has weight) is None."""
        if source.loadbalancer_id is None:
            return None
        try:
            stats = self._stats(source)
        except MetricUnavailable:
            return None
        return {member_id: m.current_sessions if m.status in CLOSED_TO_NEW else None
                for member_id, m in stats.members.items()}

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


class HttpReads:
    """``read_http_regex`` on a pool of its own, never two at once for one group."""

    def __init__(self, inline_wait: float = INLINE_WAIT, workers: int = HTTP_WORKERS) -> None:
        self.inline_wait = inline_wait
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="metric-http")
        self._reads: dict[str, Future] = {}  # group → its read in flight or not taken yet
        self._started: dict[str, float] = {}
        self._lock = threading.Lock()

    def read(self, group_id: str, url: str, regex: str, device: str | None = None) -> float:
        """The result of the group's read: the one in flight, else a new one; waits at
        most ``inline_wait`` s (MetricWarmingUp when still running: ask again later)."""
        with self._lock:
            future = self._reads.get(group_id)
            if future is None:
                self._forget_untaken()
                future = self._reads[group_id] = self._pool.submit(
                    read_http_regex, url, regex, device=device)
                self._started[group_id] = time.monotonic()
        try:
            return future.result(timeout=self.inline_wait)
        except FutureTimeout:
            raise MetricWarmingUp("the previous GET is still running") from None
        finally:
            if future.done():
                with self._lock:
                    if self._reads.get(group_id) is future:
                        del self._reads[group_id], self._started[group_id]

    def _forget_untaken(self) -> None:
        """Drop finished reads no pass took for a while (their group is gone)."""
        old = time.monotonic() - SAMPLE_TTL
        for group_id, started in list(self._started.items()):
            if started < old and self._reads[group_id].done():
                del self._reads[group_id], self._started[group_id]

    def in_flight(self) -> int:
        with self._lock:
            return sum(not future.done() for future in self._reads.values())


def read_http_regex(url: str, regex: str, deadline: float = HTTP_DEADLINE, *,
                    device: str | None = None) -> float:
    """Group 1 of ``regex`` searched in the body of ``GET url`` (leaving by host interface
    ``device`` only, when given): the whole GET within ``deadline`` s, at most
    ``BODY_CAP`` bytes, the search within ``REGEX_TIMEOUT`` s. Messages name the URL but
    never quote what the server sent."""
    problem = patterns.problem_of(regex)
    if problem:
        raise MetricUnavailable(problem)
    try:
        body = http_get.get(url, deadline=deadline, cap=BODY_CAP, device=device)
    except http_get.GetFailed as exc:
        raise MetricUnavailable(f"GET {url}: {exc}") from None
    try:
        found = regex_engine.search(regex, body.decode("utf-8", "replace"),
                                    timeout=REGEX_TIMEOUT)
    except TimeoutError:
        raise MetricUnavailable(f"the regex took more than {REGEX_TIMEOUT:g} s on GET {url}: "
                                "make it simpler") from None
    if found is None:
        raise MetricUnavailable(f"the regex found nothing in GET {url}")
    return _number(found.group(1), url)


def _number(text: str | None, url: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise MetricUnavailable(f"group 1 of the regex is not a number in GET {url}") \
            from None
    if not math.isfinite(value):
        raise MetricUnavailable(f"group 1 of the regex is not a finite number in GET {url}")
    return value
