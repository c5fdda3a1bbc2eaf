"""Run one whole cloud in this process until a signal stops it."""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import threading
import time

import click
import httpx
import uvicorn

from pocketstack.config import Settings
from pocketstack.wiring import assemble

log = logging.getLogger("pocketstack")


def _announce_when_ready(server: uvicorn.Server, deployment, settings: Settings, started: float):
    from pocketstack.services.bootstrap import write_client_files

    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.01)
    # Our own listener, just started: whether clients trust its certificate is theirs to say.
    httpx.get(settings.url("identity/v3"), timeout=10, verify=False).raise_for_status()
    files = write_client_files(deployment.cloud, deployment.accounts)
    state = {"pid": os.getpid(), "url": settings.public_url, "driver": settings.driver,
             "prefix": settings.prefix, "data_dir": str(settings.data_dir)}
    settings.state_file.write_text(json.dumps(state))
    click.echo(f"pocketstack is ready in {time.monotonic() - started:.2f} s "
               f"(driver {settings.driver}, prefix {settings.prefix})")
    click.echo(f"  API        {settings.public_url}   (auth URL {settings.url('identity/v3')})")
    click.echo(f"  openrc     {files[0]}  {files[1]}")
    click.echo(f"  clouds     {files[2]}")
    click.echo(f"  try        source {files[1]} && openstack server list")


class Server(uvicorn.Server):
    """uvicorn re-raises SIGINT/SIGTERM after its shutdown, which would kill us before the
    agent stops and the state file goes; here a signal only asks for a clean exit."""

    @contextlib.contextmanager
    def capture_signals(self):
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The stock clients poll every 5 s on a kept-alive connection; uvicorn's default of 5 s
# closes it just as they reuse it ("Connection reset by peer").
KEEP_ALIVE_SECONDS = 75


def keep_large_allocations_returnable() -> None:
    """Each argon2 hash takes a 19 MiB buffer. glibc raises its mmap threshold after the
    first such buffer is freed, so later ones come from the heap and stay in the process
    (RSS grew ~25 MiB per concurrent login). A fixed threshold keeps them mmap'ed and
    returned on free."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, 1 << 20)
    except OSError:
        pass  # not glibc: nothing to tune


M_MMAP_THRESHOLD = -3


def server_config(app, settings: Settings) -> uvicorn.Config:
    """uvicorn's settings. ``proxy_headers`` is off: a client address is always the TCP
    peer, never an ``X-Forwarded-For`` a client wrote (uvicorn trusts it from 127.0.0.1,
    which would let any local client pick the address the login throttle keys on). Behind
    a reverse proxy, all clients therefore share the proxy's address."""
    return uvicorn.Config(app, host=settings.host, port=settings.port,
                          log_level="warning", access_log=False, lifespan="off",
                          timeout_keep_alive=KEEP_ALIVE_SECONDS, proxy_headers=False,
                          ssl_certfile=settings.tls_cert, ssl_keyfile=settings.tls_key)


def serve(settings: Settings, with_agent: bool = True) -> int:
    started = time.monotonic()
    keep_large_allocations_returnable()
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    if settings.state_file.exists():
        settings.state_file.unlink()
    deployment = assemble(settings, with_agent=with_agent)
    server = Server(server_config(deployment.app, settings))
    announcer = threading.Thread(
        target=_announce_when_ready, args=(server, deployment, settings, started), daemon=True
    )
    announcer.start()
    try:
        server.run()
    finally:
        deployment.agent.stop()
        deployment.cloud.db.dispose()
        if settings.state_file.exists():
            settings.state_file.unlink()
        click.echo("pocketstack stopped.")
    return 0 if server.started else 1
