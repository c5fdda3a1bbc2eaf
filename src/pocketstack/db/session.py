"""The state store: one engine per process, short transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _OneWriter:
    """SQLite has one writer at a time, and its busy handler sleeps and polls: with many
    threads writing at once a waiter can starve past ``busy_timeout`` ("database is
    locked", seen with 4 clients creating servers while the agent reports). Threads of
    this process therefore queue on a lock from their transaction's first write to its
    end; SQLite's own locking still arbitrates between processes."""

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.RLock()
        event.listen(engine, "before_cursor_execute", self._before_execute)
        for name in ("commit", "rollback"):
            event.listen(engine, name, self._release)
        event.listen(engine.pool, "checkin", self._release_record)

    def _before_execute(self, conn, _cursor, statement: str, *_args) -> None:
        if not conn.info.get("writing") and statement.lstrip()[:7].upper().startswith(WRITES):
            self._lock.acquire()
            conn.info["writing"] = True

    def _release(self, conn) -> None:
        if conn.info.pop("writing", False):
            self._lock.release()

    def _release_record(self, _dbapi_connection, record) -> None:
        if record is not None and record.info.pop("writing", False):
            self._lock.release()


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            _OneWriter(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
