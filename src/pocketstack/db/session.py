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
    this process therefore queue on a lock from their transaction's first write until
    its COMMIT or ROLLBACK has run on the connection (the dialect's ``do_commit`` /
    ``do_rollback``: SQLAlchemy's ``commit`` event fires before the commit, when SQLite
    still holds the write lock); SQLite's own locking still arbitrates between
    processes."""

    def __init__(self, engine: Engine) -> None:
        self._lock = threading.RLock()
        self._writers: set[int] = set()  # id() of DBAPI connections inside a write
        event.listen(engine, "before_cursor_execute", self._before_execute)
        dialect = engine.dialect
        dialect.do_commit = self._releasing(dialect.do_commit)
        dialect.do_rollback = self._releasing(dialect.do_rollback)
        for name in ("checkin", "invalidate", "close"):  # a connection dropped mid-write
            event.listen(engine.pool, name, self._release_dropped)

    def _before_execute(self, conn, _cursor, statement: str, *_args) -> None:
        raw = id(conn.connection.dbapi_connection)
        if raw not in self._writers and statement.lstrip()[:7].upper().startswith(WRITES):
            self._lock.acquire()
            self._writers.add(raw)

    def _releasing(self, finish):
        def finish_then_release(dbapi_connection) -> None:
            try:
                finish(dbapi_connection)
            finally:
                self._release(dbapi_connection)
        return finish_then_release

    def _release(self, connection) -> None:
        """``connection``: a DBAPI connection or the pool's proxy of one (``do_commit``
        gets the proxy)."""
        raw = id(getattr(connection, "dbapi_connection", connection))
        if connection is not None and raw in self._writers:
            self._writers.discard(raw)
            self._lock.release()

    def _release_dropped(self, dbapi_connection, *_args) -> None:
        self._release(dbapi_connection)

    def held(self) -> bool:
        """Whether some thread of this process is inside a write (tests)."""
        if self._lock.acquire(blocking=False):
            self._lock.release()
            return self._writers != set()  # this thread's own write, re-entered
        return True


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.writer = _OneWriter(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
