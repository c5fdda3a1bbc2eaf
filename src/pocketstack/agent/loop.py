"""The agent's reconcile loop: wake on a write or a timer, converge every pending key.

A pass visits the reconcilers in order and, for each, its pending keys. Keys of a
reconciler that declares ``parallel = True`` (its ``reconcile`` is safe to run for
different keys at once, e.g. servers: each spawn is its own instance) go to a small
bounded set of worker threads (``workers``, default ``WORKERS``); every other reconciler
(the network ones: their driver works on shared tables) runs in the loop's own thread,
one key at a time, as before. A key is never reconciled twice at once: while it is in
flight, passes skip it; when its worker finishes it wakes the loop, which looks again.

A reconciler may also have ``ready(keys)``: of its pending keys, those that need nothing
more from earlier reconcilers (a new server whose ports the host has not applied yet is
not ready: started before its port is known to the host's guard, it would be unreachable
until the next pass plugged it). Keys that are not ready are skipped and looked at again
after ``NOT_READY_RETRY`` s (or at once when a worker or a write wakes the loop).

In the background loop a pass does not wait for its workers (a create is picked up while
other spawns run), and it hands a parallel reconciler's ready keys to workers early: at
the start of the pass and again after each serial reconciler that did work (a server
whose port was just plugged starts then, not after the routers and floating IPs). When
every worker is busy the remaining parallel keys wait for the next pass, which re-lists
them, so a key the reconciler lists first (a delete) takes the next
free worker rather than queueing behind earlier spawns. ``run_once`` (tests, tools)
completes the whole pass before returning, as it always did.

Backoff: a temporary failure (``TemporaryError``, a non-permanent ``DriverError``, a busy
store) retries the key after 0.2, 0.4, ... s (at most ``MAX_BACKOFF``); a permanent one,
or a bug, is reported once with the reconciler's ``fail``.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import OperationalError

from pocketstack.agent.reconcile import Reconciler, TemporaryError
from pocketstack.errors import DriverError

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
WORKERS = 4
NOT_READY_RETRY = 0.05

Slot = tuple[str, str]


class Agent:
    def __init__(self, reconcilers: list[Reconciler], resync_seconds: float = 5.0,
                 workers: int = WORKERS) -> None:
        self.reconcilers = reconcilers
        self.resync_seconds = resync_seconds
        self.workers = max(1, int(workers))
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._not_before: dict[Slot, float] = {}
        self._failures: dict[Slot, int] = {}
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()  # guards _in_flight and _results
        self._in_flight: set[Slot] = set()
        self._results: dict[Slot, float | None] = {}

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        for reconciler in self.reconcilers:
            reconciler.sweep()
        self._thread = threading.Thread(target=self._run, name="agent", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        if self._thread:
            self._thread.join(timeout)
        with self._idle:  # let running workers finish what they started
            self._idle.wait_for(lambda: not self._in_flight,
                                max(0.0, deadline - time.monotonic()))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            next_due = self._pass(wait=False)
            self._wake.wait(min(self.resync_seconds, next_due))

    def run_once(self) -> float:
        """One pass over every reconciler; returns seconds until a requeued key is due."""
        return self._pass(wait=True)

    def _parallel(self, reconciler: Reconciler) -> bool:
        return getattr(reconciler, "parallel", False) and self.workers > 1

    def _pass(self, wait: bool) -> float:
        if not wait:
            self._visit_early()
        return self._visit(self.reconcilers, wait)

    def _visit_early(self) -> None:
        """Hand the parallel keys that are ready (``reconciler.ready``) to workers now,
        before the pass reaches their reconciler in order."""
        self._visit([r for r in self.reconcilers
                     if self._parallel(r) and hasattr(r, "ready")], wait=False)

    def _visit(self, reconcilers: list[Reconciler], wait: bool) -> float:
        next_due = self.resync_seconds
        for reconciler in reconcilers:
            try:
                listed = reconciler.pending()
                keys = reconciler.ready(listed) if hasattr(reconciler, "ready") else listed
            except Exception:
                log.exception("listing pending %s failed", reconciler.kind)
                continue
            if len(keys) < len(listed):  # waiting on an earlier reconciler: look again soon
                next_due = min(next_due, NOT_READY_RETRY)
            now = time.monotonic()
            parallel = self._parallel(reconciler)
            mine: list[Slot] = []
            did_work = False
            for key in keys:
                slot = (reconciler.kind, key)
                due = self._not_before.get(slot, 0.0)
                if due > now:
                    next_due = min(next_due, due - now)
                    continue
                if self._stop.is_set():
                    return 0.0
                if parallel:
                    if self._dispatch(reconciler, key, block=wait):
                        mine.append(slot)
                    continue
                if self._busy(slot):
                    continue
                did_work = True
                wait_for = self._reconcile(reconciler, key)
                if wait_for is not None:
                    next_due = min(next_due, wait_for)
            if wait and mine:
                next_due = min(next_due, self._join(mine))
            if did_work and not wait:  # e.g. a port plugged: its server may start now
                self._visit_early()
        return next_due

    def _busy(self, slot: Slot) -> bool:
        with self._idle:
            return slot in self._in_flight

    def _dispatch(self, reconciler: Reconciler, key: str, block: bool) -> bool:
        """Start ``key`` on a worker; False when it is in flight already, or (unless
        ``block``) every worker is busy."""
        slot = (reconciler.kind, key)
        with self._idle:
            if slot in self._in_flight:
                return False
            if len(self._in_flight) >= self.workers:
                if not block:
                    return False
                self._idle.wait_for(lambda: len(self._in_flight) < self.workers)
                if slot in self._in_flight:
                    return False
            self._in_flight.add(slot)
        threading.Thread(target=self._work, args=(reconciler, key), daemon=True,
                         name=f"agent-{reconciler.kind}-{key[:8]}").start()
        return True

    def _work(self, reconciler: Reconciler, key: str) -> None:
        slot, outcome = (reconciler.kind, key), None
        try:
            outcome = self._reconcile(reconciler, key)
        finally:
            with self._idle:
                self._in_flight.discard(slot)
                self._results[slot] = outcome
                self._idle.notify_all()
            self._wake.set()

    def _join(self, slots: list[Slot]) -> float:
        """Wait for ``slots`` to finish; the soonest requeue among them (or the resync)."""
        with self._idle:
            self._idle.wait_for(lambda: not self._in_flight.intersection(slots))
            waits = [self._results.pop(slot, None) for slot in slots]
        return min([w for w in waits if w is not None], default=self.resync_seconds)

    def _reconcile(self, reconciler: Reconciler, key: str) -> float | None:
        slot = (reconciler.kind, key)
        try:
            result = reconciler.reconcile(key)
        except (TemporaryError, DriverError, OperationalError) as exc:
            # OperationalError: the store was busy (a concurrent writer); worth a retry.
            if isinstance(exc, DriverError) and exc.permanent:
                self._give_up(reconciler, key, exc.message)
                return None
            failures = self._failures.get(slot, 0) + 1
            self._failures[slot] = failures
            wait = min(MAX_BACKOFF, 0.1 * 2**failures)
            self._not_before[slot] = time.monotonic() + wait
            log.warning("%s %s: %s (retry in %.1fs)", reconciler.kind, key, exc, wait)
            return wait
        except Exception as exc:  # a bug must not kill the loop; the resource shows it
            log.exception("%s %s failed", reconciler.kind, key)
            self._give_up(reconciler, key, f"{type(exc).__name__}: {exc}")
            return None
        self._failures.pop(slot, None)
        self._not_before.pop(slot, None)
        if result.requeue_after is not None:
            self._not_before[slot] = time.monotonic() + result.requeue_after
            return result.requeue_after
        return None

    def _give_up(self, reconciler: Reconciler, key: str, message: str) -> None:
        self._failures.pop((reconciler.kind, key), None)
        try:
            reconciler.fail(key, message)
        except Exception:
            log.exception("recording the failure of %s %s failed", reconciler.kind, key)
