"""`pocketstack agent`: the host agent alone, beside `pocketstack up --no-agent`.

Both processes use the same data dir; the API owns the schema (it migrates and
bootstraps), so the agent waits until the store is at every head. The agent can then be
killed and restarted on its own: it resyncs fully on its first pass, like the agent
thread of the one-process shape. ``agent.json`` in the data dir names its pid once its
start-up sweep is done.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time

import click
from sqlalchemy.exc import OperationalError

from pocketstack.config import Settings
from pocketstack.db.migrate import is_current
from pocketstack.db.session import Database

WAIT_NOTICE_SECONDS = 10.0


def wait_for_store(settings: Settings) -> None:
    """Return once the state store exists at the current schema; say so while waiting."""
    started, said = time.monotonic(), False
    while True:
        if settings.data_dir.is_dir():
            db = Database(settings.database_url)
            try:
                if is_current(db):
                    return
            except OperationalError:
                pass
            finally:
                db.dispose()
        if not said and time.monotonic() - started > WAIT_NOTICE_SECONDS:
            click.echo(f"waiting for the state store in {settings.data_dir}: start "
                       "`pocketstack up --no-agent` on this data dir", err=True)
            said = True
        time.sleep(0.2)


def serve_agent(settings: Settings, poll_seconds: float) -> int:
    from pocketstack.cli.serve import LOG_FORMAT
    from pocketstack.wiring import assemble_agent

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    state = settings.data_dir / "agent.json"
    state.unlink(missing_ok=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    wait_for_store(settings)
    agent, db = assemble_agent(settings, poll_seconds)
    agent.start()
    try:
        state.write_text(json.dumps({"pid": os.getpid(), "driver": settings.driver,
                                     "prefix": settings.prefix}))
        click.echo(f"pocketstack agent is running (driver {settings.driver}, prefix "
                   f"{settings.prefix}, looking at the store every {poll_seconds} s)")
        while not stop.wait(1.0):
            pass
    finally:
        agent.stop()
        db.dispose()
        state.unlink(missing_ok=True)
        click.echo("pocketstack agent stopped.")
    return 0
