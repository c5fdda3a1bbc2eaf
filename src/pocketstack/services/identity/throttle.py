"""Failed-login throttling, as Keystone's ``lockout_failure_attempts``/``lockout_duration``.

A key is one user (its id; for an unknown user, the reference the client sent) seen from
one source address. After ``limit`` failed password checks of a key within
``WINDOW`` seconds, the key is locked for ``lockout`` seconds: every attempt answers 401
without the password being looked at. A success clears the key's failures. An attempt
counts as a failure from the moment it is let through (``check``), so requests sent in
parallel cannot all be checked before the first failure is recorded: at most ``limit``
are in flight per key. Unknown users
are throttled like known ones, so a lockout tells nothing about whether a user exists.

Keying by user *and* address means one client guessing cannot lock a user out for
everybody else, and many users behind one address (a NAT, a proxy, the test client) do
not lock each other out. The state is in this process's memory: a restart forgets it and
each API replica counts on its own (documented in docs/security.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pocketstack.errors import Unauthorized

WINDOW = 60.0
MAX_KEYS = 100_000

Key = tuple[str, str]


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, limit: int = 5, lockout: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.lockout, self.clock = limit, lockout, clock
        self._records: dict[Key, _Record] = {}
        self._lock = threading.Lock()

    def check(self, key: Key) -> None:
        """Before any password check: Unauthorized while ``key`` is locked (or ``limit``
        attempts are already counted); else the attempt is counted as a failure until
        ``succeeded`` clears it."""
        now = self.clock()
        with self._lock:
            self._make_room(now)
            record = self._records.setdefault(key, _Record())
            record.failures = [at for at in record.failures if now - at < WINDOW]
            if record.locked_until <= now and len(record.failures) >= self.limit:
                self._lock_out(record, now)
            left = record.locked_until - now
            if left <= 0:
                record.failures.append(now)
        if left > 0:
            raise Unauthorized(
                f"Too many failed login attempts for this user from this address: "
                f"try again in {int(left) + 1} seconds.")

    def failed(self, key: Key) -> None:
        """The attempt ``check`` counted failed: the ``limit``-th locks the key."""
        now = self.clock()
        with self._lock:
            record = self._records.get(key)
            if record is not None and len(record.failures) >= self.limit:
                self._lock_out(record, now)

    def _lock_out(self, record: _Record, now: float) -> None:
        record.failures.clear()
        record.locked_until = now + self.lockout

    def succeeded(self, key: Key) -> None:
        with self._lock:
            self._records.pop(key, None)

    def _make_room(self, now: float) -> None:
        """Drop stale keys when there are many (a spray of made-up user names); when all
        are recent, the unlocked ones oldest first. A running lockout is never dropped (a
        spray must not free a locked key). Evicts a tenth at a time, so a spray does not
        sort the records on every attempt."""
        if len(self._records) < MAX_KEYS:
            return
        for key, record in list(self._records.items()):
            recent = record.failures and now - record.failures[-1] < WINDOW
            if not recent and record.locked_until <= now:
                del self._records[key]
        if len(self._records) < MAX_KEYS:
            return
        unlocked = sorted((record.failures[-1] if record.failures else 0.0, key)
                          for key, record in self._records.items() if record.locked_until <= now)
        for _, key in unlocked[:len(self._records) - MAX_KEYS + max(1, MAX_KEYS // 10)]:
            del self._records[key]


@dataclass(frozen=True)
class LoginGuard:
    """One request's view of the throttle: its source address is part of every key."""

    throttle: LoginThrottle
    source: str

    def verify(self, who: str, check_password: Callable[[], bool]) -> bool:
        """``check_password()`` unless ``who`` is locked out here (then Unauthorized);
        counts the failure or clears the record. ``who`` names the user: its id when it
        exists, else the reference the client sent."""
        key = (who, self.source)
        self.throttle.check(key)
        if check_password():
            self.throttle.succeeded(key)
            return True
        self.throttle.failed(key)
        return False
