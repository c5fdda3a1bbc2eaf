"""One bounded HTTP GET for metric reads, whatever the other end does.

``get`` holds to a wall-clock deadline over the whole exchange (connect, request,
headers, body: every socket wait is given only the time left, so a server trickling a
byte a second cannot stretch it), reads at most ``cap`` bytes of body, follows no
redirect (anything but 200 is a failure), uses no proxy and looks up no name (the URL's
host is an IP literal, checked before). Given a ``device``, the socket is bound to that
host interface (``SO_BINDTODEVICE``): no packet of it can leave by another one, e.g.
the machine's uplink. Failure messages never quote what the server
sent: a metric's events are shown to the group's users.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import h11

RECEIVE = 16 * 1024
MAX_HEADERS = 16 * 1024


class GetFailed(Exception):
    """The GET gave no usable body; the message says why, in the cloud's words."""


def get(url: str, *, deadline: float, cap: int, device: str | None = None) -> bytes:
    """The body of ``GET url`` (status 200), within ``deadline`` s and ``cap`` bytes."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    end = time.monotonic() + deadline
    try:
        with _connect(parts.hostname, parts.port or 80, deadline, device) as sock:
            return _exchange(sock, host, target, end, cap)
    except TimeoutError:
        raise GetFailed(f"timed out (the whole GET may take {deadline:g} s)") from None
    except h11.ProtocolError:
        raise GetFailed("the answer is not valid HTTP/1.1") from None
    except ConnectionRefusedError:
        raise GetFailed("connection refused") from None
    except OSError as exc:
        raise GetFailed(exc.strerror or type(exc).__name__) from None


def _connect(address: str, port: int, timeout: float, device: str | None) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if device is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, device.encode())
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _exchange(sock: socket.socket, host: str, target: str, end: float, cap: int) -> bytes:
    connection = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEADERS)
    request = h11.Request(method="GET", target=target, headers=[
        ("Host", host), ("User-Agent", "pocketstack-autoscaling"),
        ("Accept-Encoding", "identity"), ("Connection", "close")])
    _wait_budget(sock, end)
    sock.sendall(connection.send(request) + connection.send(h11.EndOfMessage()))
    body = bytearray()
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            _wait_budget(sock, end)
            connection.receive_data(sock.recv(RECEIVE))
        elif isinstance(event, h11.Response) and event.status_code != 200:
            raise GetFailed(f"answered {event.status_code} (only 200 is read; redirects are "
                            "not followed)")
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > cap:
                raise GetFailed(f"the answer is larger than {cap // 1024} KiB: point the url "
                                "at a smaller page")
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            return bytes(body)


def _wait_budget(sock: socket.socket, end: float) -> None:
    """Give the next socket wait only the time left before ``end``."""
    left = end - time.monotonic()
    if left <= 0:
        raise TimeoutError
    sock.settimeout(left)
