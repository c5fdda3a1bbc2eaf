"""The reconciler contract: level-triggered, idempotent, one key at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Result:
    """What a reconcile pass asks for next: nothing, or another look after some seconds."""

    requeue_after: float | None = None


DONE = Result()


class TemporaryError(Exception):
    """Worth retrying with backoff (a busy device, a lock held, a peer not ready yet)."""


class Reconciler(Protocol):
    """Converges one kind of resource.

    ``pending`` lists the keys whose desired state may differ from the host (rows in a
    transitional status, or all rows during a resync). ``reconcile`` reads the desired
    state of one key and the actual state on the host, converges them, and reports the
    outcome in the state store. Running it twice changes nothing; a key whose row is gone
    means "make sure nothing is left". A permanent failure is reported with ``fail``,
    which puts the resource in ERROR with a message the user can read.
    """

    kind: str

    def pending(self) -> list[str]: ...

    def reconcile(self, key: str) -> Result: ...

    def fail(self, key: str, message: str) -> None: ...

    def sweep(self) -> None:
        """On start: remove host objects that no desired state names (mark and sweep)."""
