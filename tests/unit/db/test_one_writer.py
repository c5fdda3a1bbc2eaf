"""The process's SQLite writer lock: held from a transaction's first write until its COMMIT
or ROLLBACK has run on the connection, never released before."""

from __future__ import annotations

import threading
from contextlib import nullcontext

import pytest
from sqlalchemy import text

from pocketstack.db.session import Database


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'state.db'}")
    with database.session() as session:
        session.execute(text("CREATE TABLE items (name TEXT)"))
    yield database
    database.dispose()


def held_elsewhere(db: Database) -> bool:
    """Whether another thread sees the writer lock taken."""
    seen = []
    probe = threading.Thread(target=lambda: seen.append(db.writer.held()))
    probe.start()
    probe.join()
    return seen[0]


def traced(db: Database, session, statement: str) -> list[bool]:
    """Record, each time SQLite runs ``statement`` on the session's connection, whether the
    writer lock is taken as another thread sees it."""
    seen: list[bool] = []
    raw = session.connection().connection.dbapi_connection

    def trace(sql: str) -> None:
        if sql.strip().upper() == statement:
            seen.append(held_elsewhere(db))
    raw.set_trace_callback(trace)
    return seen


@pytest.mark.parametrize("ending", ["COMMIT", "ROLLBACK"])
def test_the_lock_is_held_while_the_transaction_ends(db, ending):
    seen: list[bool] = []
    aborts = pytest.raises(_Abort) if ending == "ROLLBACK" else nullcontext()
    with aborts, db.session() as session:
        seen = traced(db, session, ending)
        session.execute(text("INSERT INTO items VALUES ('a')"))
        assert held_elsewhere(db)
        if ending == "ROLLBACK":
            raise _Abort
    assert seen == [True]
    assert not held_elsewhere(db)


def test_reads_take_no_lock_and_a_write_releases_it_after_commit(db):
    with db.session() as session:
        session.execute(text("SELECT count(*) FROM items"))
        assert not held_elsewhere(db)
    with db.session() as session:
        session.execute(text("INSERT INTO items VALUES ('b')"))
    assert not held_elsewhere(db)
    with db.session() as session:
        assert session.execute(text("SELECT name FROM items")).scalars().all() == ["b"]


def test_writers_of_two_threads_take_turns(db):
    errors = []

    def write(name: str) -> None:
        try:
            for index in range(20):
                with db.session() as session:
                    session.execute(text("INSERT INTO items VALUES (:n)"),
                                    {"n": f"{name}{index}"})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=write, args=(name,)) for name in "xyz"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.session() as session:
        assert session.execute(text("SELECT count(*) FROM items")).scalar() == 60
    assert not held_elsewhere(db)


class _Abort(Exception):
    pass
