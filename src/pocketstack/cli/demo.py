"""`pocketstack demo webgame [--check] [--keep]`: the reference workload against the cloud of
the ``OS_*`` variables (``source openrc.demo``), through its public APIs only."""

from __future__ import annotations

import signal
import sys

import click


@click.group()
def demo() -> None:
    """Reference workloads, run with the OS_* credentials like the stock clients."""


@demo.command()
@click.option("--check", is_flag=True,
              help="Also play, load the floating IP, wait for scale-out and scale-in; the "
                   "last line is a JSON report and the exit status says whether all held.")
@click.option("--keep", is_flag=True, help="Leave the workload running instead of deleting it.")
@click.option("--load-seconds", type=click.FloatRange(5, 600), default=40.0, show_default=True,
              help="How long --check loads the floating IP.")
@click.option("--load-clients", type=click.IntRange(1, 200), default=40, show_default=True,
              help="Concurrent keep-alive clients of the --check load.")
def webgame(check: bool, keep: bool, load_seconds: float, load_clients: int) -> None:
    """A web game: MariaDB primary + replica, PHP servers in a scaling group behind a load
    balancer with a floating IP (examples/webgame). Deleted at the end unless --keep."""
    from pocketstack.demo.check import LoadShape, run

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # tear down on SIGTERM too
    load = LoadShape(concurrency=load_clients, duration=load_seconds)
    sys.exit(run(check, keep, say, load_shape=load))


def say(line: str) -> None:
    click.echo(f"webgame: {line}")
