"""A real `pocketstack up` process and the stock clients (openstack, nova, openstacksdk)
pointed at it, with the environment of the openrc files the cloud wrote."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import openstack

from tests.harness.cloud_process import VENV_BIN, UpProcess, free_port

CLIENT_TIMEOUT = 180.0


def run_captured(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run without stdin, capturing text output; the caller judges the exit code."""
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL, timeout=CLIENT_TIMEOUT)


@dataclass(frozen=True)
class Credentials:
    """Who a client call runs as: the OS_* variables of an openrc file."""

    variables: dict[str, str]

    def but(self, **changes: str) -> Credentials:
        return Credentials({**self.variables, **changes})


class ClientError(AssertionError):
    """A stock client exited non-zero where the test expected success."""


class CloudProcess(UpProcess):
    """One `pocketstack up --driver fake` subprocess (``tests/harness``) in ``root`` (data
    dir, HOME of the clients, log) and the clients that talk to it."""

    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        super().__init__(root / "data", free_port(), log=root / "pocketstack.log")
        self.process_env = {**self.base_env(), **(env or {})}
        self._base_image_id: str | None = None

    @property
    def log_path(self) -> Path:
        return self.log

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "NOVA_"))}
        env.update(HOME=str(self.home), PYTHONUNBUFFERED="1", LC_ALL="C.UTF-8")
        return env

    # -- credentials -----------------------------------------------------------------

    def credentials(self, account: str) -> Credentials:
        """``demo`` or ``admin``, from the openrc file the cloud wrote."""
        return Credentials(self.openrc(account))

    @property
    def demo(self) -> Credentials:
        return self.credentials("demo")

    @property
    def admin(self) -> Credentials:
        return self.credentials("admin")

    # -- stock clients ---------------------------------------------------------------

    def run(self, program: str, *args: str, as_: Credentials | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
        """Run a client from the venv's bin dir with the credentials' environment."""
        credentials = as_ or self.demo
        env = {**self.base_env(), **credentials.variables}
        result = run_captured([str(VENV_BIN / program), *args], env)
        if check and result.returncode != 0:
            raise ClientError(
                f"$ {program} {' '.join(args)}\nexit {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def openstack(self, *args: str, as_: Credentials | None = None):
        """``openstack ARGS -f json``, parsed."""
        result = self.run("openstack", *args, "-f", "json", as_=as_)
        return json.loads(result.stdout)

    def openstack_text(self, *args: str, as_: Credentials | None = None,
                       check: bool = True) -> subprocess.CompletedProcess:
        """``openstack ARGS`` for commands without JSON output (deletes, sets, errors)."""
        return self.run("openstack", *args, as_=as_, check=check)

    def nova(self, *args: str, as_: Credentials | None = None,
             check: bool = True) -> subprocess.CompletedProcess:
        return self.run("nova", *args, as_=as_, check=check)

    def pocketstack(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        """A second `pocketstack` process (status, down, purge) on this cloud's data dir."""
        command = [str(VENV_BIN / "pocketstack"), *args, "--data-dir", str(self.data_dir)]
        result = run_captured(command, self.base_env())
        if check and result.returncode != 0:
            raise ClientError(f"pocketstack {' '.join(args)}: {result.stdout}{result.stderr}")
        return result

    def connection(self, as_: Credentials | None = None) -> openstack.connection.Connection:
        """An openstacksdk Connection built from the openrc values (no env, no clouds.yaml)."""
        v = (as_ or self.demo).variables
        return openstack.connect(
            auth_type="password",
            auth={
                "auth_url": v["OS_AUTH_URL"], "username": v["OS_USERNAME"],
                "password": v["OS_PASSWORD"], "project_name": v["OS_PROJECT_NAME"],
                "user_domain_name": v["OS_USER_DOMAIN_NAME"],
                "project_domain_name": v["OS_PROJECT_DOMAIN_NAME"],
            },
            region_name=v["OS_REGION_NAME"], interface=v.get("OS_INTERFACE", "public"),
            identity_api_version="3", load_yaml_config=False, load_envvars=False,
        )

    # -- shortcuts the tests share -----------------------------------------------------

    def base_image_id(self, as_: Credentials | None = None) -> str:
        """The default image every fresh cloud has (the only public image at first start)."""
        if self._base_image_id is None:
            images = self.openstack("image", "list", "--public", as_=as_)
            assert images, "a fresh cloud lists no public image"
            self._base_image_id = images[0]["ID"]
        return self._base_image_id

    def create_server(self, name: str, *extra: str, image: str | None = None,
                      network: str = "private", as_: Credentials | None = None) -> dict:
        """``openstack server create --wait`` with flavor m1.tiny, on ``private`` by default."""
        return self.openstack(
            "server", "create", "--wait", "--flavor", "m1.tiny",
            "--image", image or self.base_image_id(as_=as_), "--network", network, *extra, name,
            as_=as_,
        )


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a prettytable as printed by novaclient (``| a | b |`` lines)."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    if not rows:
        return []
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    header, body = cells[0], cells[1:]
    return [dict(zip(header, row, strict=False)) for row in body]


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
