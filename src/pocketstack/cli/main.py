"""`pocketstack up|status|down|purge|console`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import click
import httpx

from pocketstack.config import PREFIX_PATTERN, Settings


def default_data_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/var/lib/pocketstack")
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local/share")) / "pocketstack"


def parse_listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter("expected HOST:PORT, e.g. 127.0.0.1:8774")
    return host.strip("[]"), int(port)


def check_prefix(_ctx, _param, value: str) -> str:
    if not PREFIX_PATTERN.match(value):
        raise click.BadParameter("1 to 6 lowercase letters or digits")
    return value


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=default_data_dir,
    show_default="/var/lib/pocketstack as root, else ~/.local/share/pocketstack",
    help="Where the state store, images and credentials live.",
)


@click.group()
@click.version_option(package_name="pocketstack")
def main() -> None:
    """pocketstack: a whole OpenStack-compatible cloud in one process."""


@main.command()
@click.option("--driver", type=click.Choice(["auto", "fake", "namespace"]), default="auto",
              show_default=True, help="Compute and network drivers.")
@click.option("--listen", default="127.0.0.1:8774", show_default=True, help="HOST:PORT to serve.")
@data_dir_option
@click.option("--prefix", default="ps", show_default=True, callback=check_prefix,
              help="Names this deployment; every kernel object carries it.")
def up(driver: str, listen: str, data_dir: Path, prefix: str) -> None:
    """Start the cloud in the foreground until Ctrl-C or SIGTERM."""
    from pocketstack.cli.serve import serve
    from pocketstack.wiring import choose_driver

    host, port = parse_listen(listen)
    chosen, notice = choose_driver(driver)
    if notice:
        click.echo(notice, err=True)
    settings = Settings(data_dir=data_dir.resolve(), host=host, port=port, prefix=prefix,
                        driver=chosen)
    sys.exit(serve(settings))


def read_state(data_dir: Path) -> dict | None:
    path = data_dir / "pocketstack.json"
    try:
        state = json.loads(path.read_text())
        os.kill(state["pid"], 0)
    except (OSError, ValueError, KeyError):
        return None
    return state


@main.command()
@data_dir_option
def status(data_dir: Path) -> None:
    """Say whether the cloud of DATA_DIR runs and answers."""
    state = read_state(data_dir)
    if state is None:
        click.echo(f"pocketstack is not running (data dir {data_dir}).")
        sys.exit(3)
    try:
        answer = httpx.get(state["url"] + "/", timeout=5).json()
    except (httpx.HTTPError, ValueError) as exc:
        click.echo(f"pocketstack (pid {state['pid']}) runs but does not answer at {state['url']}: {exc}")
        sys.exit(1)
    click.echo(f"pocketstack is running: pid {state['pid']}, driver {state['driver']}, "
               f"prefix {state['prefix']}")
    click.echo(f"  auth URL  {answer['auth_url']}")
    click.echo(f"  openrc    {data_dir / 'openrc.admin'}  {data_dir / 'openrc.demo'}")


@main.command()
@data_dir_option
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for the stop.")
def down(data_dir: Path, timeout: float) -> None:
    """Stop the cloud of DATA_DIR (it keeps every resource for the next `up`)."""
    state = read_state(data_dir)
    if state is None:
        click.echo("pocketstack is not running.")
        return
    os.kill(state["pid"], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if read_state(data_dir) is None:
            click.echo(f"pocketstack (pid {state['pid']}) stopped.")
            return
        time.sleep(0.1)
    click.echo(f"pocketstack (pid {state['pid']}) did not stop in {timeout:.0f} s.", err=True)
    sys.exit(1)


@main.command()
@data_dir_option
@click.option("--prefix", default="ps", show_default=True, callback=check_prefix)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge(data_dir: Path, prefix: str, yes: bool) -> None:
    """Remove everything deployment PREFIX made: its data dir and its kernel objects."""
    if read_state(data_dir) is not None:
        raise click.ClickException("pocketstack is running; stop it first with `pocketstack down`.")
    if not yes:
        click.confirm(f"Remove {data_dir} and every object of prefix {prefix!r}?", abort=True)
    from pocketstack.wiring import purge_host_objects

    purge_host_objects(prefix)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    click.echo(f"Removed {data_dir} and the objects of prefix {prefix!r}.")


@main.command()
@click.argument("server")
def console(server: str) -> None:
    """Open a shell in SERVER (name or ID) with the OS_* credentials; Ctrl-] leaves."""
    from pocketstack.cli.console import run

    sys.exit(run(server))
