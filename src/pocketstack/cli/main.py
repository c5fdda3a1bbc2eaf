"""`pocketstack up|agent|status|down|purge|console`."""

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
from click.core import ParameterSource

from pocketstack import config_file
from pocketstack.cli.scaling import scaling
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


def check_public_cidr(_ctx, _param, value: str) -> str:
    try:
        return config_file.KEYS["public_cidr"](value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help=f"TOML file with defaults for these options [default: {config_file.DEFAULT_PATH} "
         "when it exists]; options given on the command line win.")


def read_config_file(path: Path | None) -> dict:
    try:
        return config_file.load(path)
    except config_file.ConfigFileError as error:
        raise click.ClickException(str(error)) from error


def with_config_file(ctx: click.Context) -> dict:
    """The command's options, those left at their default taken from the config file."""
    options = dict(ctx.params)
    for name, value in read_config_file(ctx.params["config_path"]).items():
        if name in options and ctx.get_parameter_source(name) is ParameterSource.DEFAULT:
            options[name] = value
    return options


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
@click.option("--no-agent", is_flag=True,
              help="Serve the API only; run `pocketstack agent` on the same data dir.")
@click.option("--public-cidr", default=Settings.public_cidr, show_default=True,
              callback=check_public_cidr,
              help="The floating IP range (network `public`), set when the cloud first starts.")
@click.option("--region", default=Settings.region, show_default=True,
              help="Region name in the catalog and the openrc files.")
@click.option("--token-ttl", type=click.IntRange(min=60), default=Settings.token_ttl_seconds,
              show_default=True, help="Seconds a token lives.")
@click.option("--tls-cert", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Serve HTTPS with this PEM certificate (chain included); needs --tls-key.")
@click.option("--tls-key", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="The PEM private key of --tls-cert.")
@config_option
@click.pass_context
def up(ctx: click.Context, no_agent: bool, **_: object) -> None:
    """Start the cloud in the foreground until Ctrl-C or SIGTERM."""
    from pocketstack.cli.serve import serve

    options = with_config_file(ctx)
    host, port = parse_listen(options["listen"])
    settings = Settings(data_dir=options["data_dir"].resolve(), host=host, port=port,
                        prefix=options["prefix"], driver=_driver(options["driver"]),
                        region=options["region"], public_cidr=options["public_cidr"],
                        token_ttl_seconds=options["token_ttl"], **_tls(options))
    sys.exit(serve(settings, with_agent=not no_agent))


def _tls(options: dict) -> dict:
    cert, key = options.get("tls_cert"), options.get("tls_key")
    if (cert is None) != (key is None):
        raise click.UsageError("--tls-cert and --tls-key go together.")
    return {"tls_cert": cert.resolve(), "tls_key": key.resolve()} if cert else {}


@main.command()
@click.option("--driver", type=click.Choice(["auto", "fake", "namespace"]), default="auto",
              show_default=True, help="Compute and network drivers (as the API's `up`).")
@data_dir_option
@click.option("--prefix", default="ps", show_default=True, callback=check_prefix,
              help="The deployment's prefix (as given to `up`).")
@click.option("--poll", default=0.5, show_default=True,
              help="Seconds between looks at the state store for new work.")
def agent(driver: str, data_dir: Path, prefix: str, poll: float) -> None:
    """Run only the host agent for DATA_DIR, beside `pocketstack up --no-agent` on the
    same data dir (this host; it reads the state store directly)."""
    from pocketstack.cli.agent import serve_agent

    settings = Settings(data_dir=data_dir.resolve(), prefix=prefix, driver=_driver(driver))
    sys.exit(serve_agent(settings, poll))


def _driver(requested: str) -> str:
    from pocketstack.wiring import choose_driver

    chosen, notice = choose_driver(requested)
    if notice:
        click.echo(notice, err=True)
    return chosen


@main.command("config")
@config_option
def show_config(config_path: Path | None) -> None:
    """Print, as TOML, the settings `up` uses when given no option: the config file's,
    else the defaults."""
    defaults = {option.name: option.default() if callable(option.default) else option.default
                for option in up.params if option.name in config_file.KEYS}
    defaults = {name: value for name, value in defaults.items()
                if isinstance(value, (str, int, Path))}  # options with no default are left out
    options = {**defaults, **read_config_file(config_path)}
    click.echo(config_file.render(options), nl=False)


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
@config_option
@click.pass_context
def status(ctx: click.Context, **_: object) -> None:
    """Say whether the cloud of DATA_DIR runs and answers."""
    data_dir = with_config_file(ctx)["data_dir"]
    state = read_state(data_dir)
    if state is None:
        click.echo(f"pocketstack is not running (data dir {data_dir}).")
        sys.exit(3)
    try:
        # A liveness look at our own process; trusting its certificate is the clients' job.
        answer = httpx.get(state["url"] + "/", timeout=5, verify=False).json()
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
@config_option
@click.pass_context
def down(ctx: click.Context, timeout: float, **_: object) -> None:
    """Stop the cloud of DATA_DIR (it keeps every resource for the next `up`)."""
    data_dir = with_config_file(ctx)["data_dir"]
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
@click.option("--keep-data", is_flag=True,
              help="Remove only the kernel objects (instances stop); keep the data dir.")
@config_option
@click.pass_context
def purge(ctx: click.Context, yes: bool, keep_data: bool, **_: object) -> None:
    """Remove everything deployment PREFIX made: its data dir and its kernel objects.

    With --keep-data the next `up` on the data dir makes the networks again and lists
    the servers SHUTOFF, as after a reboot of the host (`openstack server start`)."""
    options = with_config_file(ctx)
    data_dir, prefix = options["data_dir"], options["prefix"]
    if read_state(data_dir) is not None:
        raise click.ClickException("pocketstack is running; stop it first with `pocketstack down`.")
    what = f"every object of prefix {prefix!r}" + ("" if keep_data else f" and {data_dir}")
    if not yes:
        click.confirm(f"Remove {what}?", abort=True)
    from pocketstack.wiring import purge_host_objects

    purge_host_objects(prefix)
    if data_dir.exists() and not keep_data:
        shutil.rmtree(data_dir)
    click.echo(f"Removed {what}.")


@main.command()
@click.argument("server")
def console(server: str) -> None:
    """Open a shell in SERVER (name or ID) with the OS_* credentials; Ctrl-] leaves."""
    from pocketstack.cli.console import run

    sys.exit(run(server))


main.add_command(scaling)


from pocketstack.cli.demo import demo

main.add_command(demo)
