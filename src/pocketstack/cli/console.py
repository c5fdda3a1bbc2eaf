"""`pocketstack console SERVER`: an interactive shell in a server, in this terminal.

Authenticates with the ``OS_*`` variables as the stock clients do (password or
application credential), finds the server by ID or exact name, asks Nova for a serial
console URL (``remote-consoles``, microversion 2.6) and bridges the websocket with the
terminal in raw mode. Window size changes are sent as ``{"resize": ...}`` control
messages. Ctrl-] leaves; so does the shell's end.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import sys
import termios
import threading
import time
import tty

import click
import httpx
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from pocketstack.cli import auth

ESCAPE = b"\x1d"  # Ctrl-]
QUIET = 0.5  # seconds without output after which the shell is taken to wait for input
API_VERSION = {"OpenStack-API-Version": "compute 2.6", "X-OpenStack-Nova-API-Version": "2.6"}
NEXT_STEP = {
    "SHUTOFF": "start it with `openstack server start {name}`",
    "BUILD": "wait until it is ACTIVE (`openstack server show {name}`)",
    "ERROR": "see its fault with `openstack server show {name}`",
    "REBOOT": "wait until the reboot is over",
    "HARD_REBOOT": "wait until the reboot is over",
}


class ConsoleError(click.ClickException):
    pass


def authenticate(http: httpx.Client) -> tuple[str, str]:
    """(token, compute endpoint) for the OS_* credentials."""
    try:
        login = auth.log_in(http)
    except auth.AuthError as error:
        raise ConsoleError(str(error)) from None
    compute = auth.endpoints(login.catalog).get("compute")
    if not compute:
        raise ConsoleError("The service catalog has no compute endpoint; is this a "
                           "pocketstack (or Nova) cloud?")
    return login.token, compute


def find_server(http: httpx.Client, compute: str, server: str) -> dict:
    """The server with ID ``server``, else the only one named ``server`` exactly."""
    response = http.get(f"{compute}/servers/{server}")
    if response.status_code == 200:
        return response.json()["server"]
    listing = http.get(f"{compute}/servers/detail",
                       params={"name": f"^{re.escape(server)}$"})
    listing.raise_for_status()
    matches = [s for s in listing.json()["servers"] if s["name"] == server]
    if not matches:
        raise ConsoleError(f"No server with a name or ID of '{server}' exists; "
                           "see `openstack server list`.")
    if len(matches) > 1:
        raise ConsoleError(f"More than one server is named '{server}'; use its ID "
                           "(`openstack server list --name ...`).")
    return matches[0]


def console_url(http: httpx.Client, compute: str, server: dict) -> str:
    name = server["name"]
    if server["status"] != "ACTIVE":
        step = NEXT_STEP.get(server["status"], "wait until it is ACTIVE")
        raise ConsoleError(f"server is {server['status']}: {step.format(name=name)}.")
    response = http.post(f"{compute}/servers/{server['id']}/remote-consoles",
                         headers=API_VERSION,
                         json={"remote_console": {"protocol": "serial", "type": "serial"}})
    if response.status_code != 200:
        raise ConsoleError(f"No console for {name}: {auth.error_message(response)}")
    return response.json()["remote_console"]["url"]


def run(server: str) -> int:
    with httpx.Client(timeout=30) as http:
        try:
            token, compute = authenticate(http)
            http.headers["X-Auth-Token"] = token
            found = find_server(http, compute, server)
            url = console_url(http, compute, found)
        except httpx.HTTPError as error:
            raise ConsoleError(f"The cloud did not answer: {error}. Is pocketstack running "
                               "(`pocketstack status`)?") from None
    try:
        websocket = connect(url, subprotocols=["binary"], compression=None)
    except (OSError, InvalidHandshake, InvalidURI) as error:
        raise ConsoleError(f"Cannot open the console at {url.split('?')[0]}: {error}") from None
    banner = f"Connected to {found['name']} ({found['id']}). Press Ctrl-] to leave."
    with websocket:
        reason = Terminal(websocket).run(banner)
    click.echo(f"\r\n{reason}", err=True)
    return 0


class Terminal:
    """Bridges this process's terminal (stdin/stdout) with a console websocket."""

    def __init__(self, websocket: ClientConnection) -> None:
        self.websocket = websocket
        self.stdin, self.stdout = sys.stdin.fileno(), sys.stdout.fileno()
        self.wake_read, self.wake_write = os.pipe()
        self.remote_ended = threading.Event()
        self.last_output = time.monotonic()

    def run(self, banner: str) -> str:
        """Say ``banner`` once the terminal is raw, then bridge until Ctrl-], end of input
        or the remote's end; say which."""
        saved = termios.tcgetattr(self.stdin) if os.isatty(self.stdin) else None
        previous = signal.signal(signal.SIGWINCH, lambda *_: os.write(self.wake_write, b"w"))
        threading.Thread(target=self._receive, daemon=True).start()
        try:
            if saved is not None:
                tty.setraw(self.stdin, termios.TCSANOW)  # keeps what was typed ahead
            click.echo(banner + "\r", err=True)
            self._send_size()
            left = self._forward_input()
        finally:
            if saved is not None:
                termios.tcsetattr(self.stdin, termios.TCSADRAIN, saved)
            signal.signal(signal.SIGWINCH, previous)
        if left:
            self.websocket.close()
            return "Left the console (Ctrl-]); its shell was ended."
        return self.websocket.close_reason or "Console closed."

    def _receive(self) -> None:
        try:
            for message in self.websocket:
                if isinstance(message, bytes):
                    self.last_output = time.monotonic()
                    os.write(self.stdout, message)
        except ConnectionClosed:
            pass
        finally:
            self.remote_ended.set()
            os.write(self.wake_write, b"x")

    def _send_size(self) -> None:
        try:
            size = os.get_terminal_size(self.stdout)
        except OSError:
            return
        self.websocket.send(json.dumps({"resize": {"rows": size.lines, "cols": size.columns}}))

    def _forward_input(self) -> bool:
        """Copy stdin to the console; True when the user left with Ctrl-]."""
        while not self.remote_ended.is_set():
            ready, _, _ = select.select([self.stdin, self.wake_read], [], [])
            if self.wake_read in ready and b"w" in os.read(self.wake_read, 64):
                self._send_size()
            if self.stdin not in ready or self.remote_ended.is_set():
                continue
            data = os.read(self.stdin, 4096)
            typed, escape, _ = data.partition(ESCAPE)
            if typed:
                self._send(typed)
            if escape:
                return True
            if not data:
                self._end_of_input()
        return False

    def _end_of_input(self) -> None:
        """Type Ctrl-D once the shell is quiet (typed ahead, the terminal would drop it),
        then wait for the end: ``echo cmd | pocketstack console web`` runs ``cmd``."""
        while not self.remote_ended.wait(QUIET):
            if time.monotonic() - self.last_output >= QUIET:
                self._send(b"\x04")
                self.remote_ended.wait()

    def _send(self, data: bytes) -> None:
        try:
            self.websocket.send(data)
        except ConnectionClosed:
            self.remote_ended.wait(1)
