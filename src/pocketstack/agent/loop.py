"""The agent's reconcile loop: wake on a write or a timer, converge every pending key."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.exc import OperationalError

from pocketstack.agent.reconcile import Reconciler, TemporaryError
from pocketstack.errors import DriverError

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0


class Agent:
    def __init__(self, reconcilers: list[Reconciler], resync_seconds: float = 5.0) -> None:
        self.reconcilers = reconcilers
        self.resync_seconds = resync_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._not_before: dict[tuple[str, str], float] = {}
        self._failures: dict[tuple[str, str], int] = {}
        self._thread: threading.Thread | None = None

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
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            next_due = self.run_once()
            self._wake.wait(min(self.resync_seconds, next_due))

    def run_once(self) -> float:
        """One pass over every reconciler; returns seconds until a requeued key is due."""
        next_due = self.resync_seconds
        now = time.monotonic()
        for reconciler in self.reconcilers:
            try:
                keys = reconciler.pending()
            except Exception:
                log.exception("listing pending %s failed", reconciler.kind)
                continue
            for key in keys:
                due = self._not_before.get((reconciler.kind, key), 0.0)
                if due > now:
                    next_due = min(next_due, due - now)
                    continue
                if self._stop.is_set():
                    return 0.0
                wait = self._reconcile(reconciler, key)
                if wait is not None:
                    next_due = min(next_due, wait)
        return next_due

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
