"""HTTP metric reads are bounded whatever the server does: wall-clock deadline, body cap,
regex timeout, no redirects, no echo of the answer, one read per group on its own pool."""

from __future__ import annotations

import socket
import threading
import time
from types import SimpleNamespace

import pytest

from pocketstack.agent import metrics
from pocketstack.agent.metrics import (
    MetricReaders,
    MetricSource,
    MetricUnavailable,
    MetricWarmingUp,
    read_http_regex,
)

SECRET = "root:x:0:0:secret-line"


class Server:
    """A TCP server on 127.0.0.1 whose every connection is handled by ``answer(sock)``."""

    def __init__(self, answer) -> None:
        self.answer, self.connections = answer, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        with sock:
            try:
                sock.recv(4096)
                self.answer(sock, self.stopped)
            except OSError:
                pass

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def serve():
    made: list[Server] = []

    def start(answer) -> Server:
        made.append(Server(answer))
        return made[-1]

    yield start
    for server in made:
        server.close()


def trickle(data: bytes, every: float = 0.3, total: float = 8.0):
    """Send ``data`` a byte every ``every`` s for at most ``total`` s."""
    def answer(sock, stopped):
        end = time.monotonic() + total
        for byte in data:
            if stopped.wait(every) or time.monotonic() > end:
                return
            sock.sendall(bytes([byte]))
    return answer


def whole(data: bytes):
    def answer(sock, stopped):
        sock.sendall(data)
    return answer


def ok_body(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


@pytest.mark.parametrize("answer", [
    trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n7 requests" * 5),
    lambda sock, stopped: (sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n"),
                           trickle(b"1" * 400)(sock, stopped)),
], ids=["headers", "body"])
def test_a_trickling_server_is_cut_at_the_deadline(serve, answer):
    server = serve(answer)
    started = time.monotonic()
    with pytest.raises(MetricUnavailable, match="timed out"):
        read_http_regex(f"{server.url}/status", r"(\d+) requests")
    assert time.monotonic() - started < metrics.HTTP_DEADLINE + 1.0


def test_a_body_over_the_cap_is_refused(serve):
    big = b"1 requests\n" * (metrics.BODY_CAP // 10)
    server = serve(whole(ok_body(big)))
    with pytest.raises(MetricUnavailable, match="larger than 64 KiB"):
        read_http_regex(server.url, r"(\d+) requests")
    server = serve(whole(b"HTTP/1.0 200 OK\r\n\r\n" + big))  # no length: cut while reading
    with pytest.raises(MetricUnavailable, match="larger than 64 KiB"):
        read_http_regex(server.url, r"(\d+) requests")


def test_a_catastrophic_regex_is_stopped(serve):
    server = serve(whole(ok_body(b"a" * 30 + b"!")))
    started = time.monotonic()
    with pytest.raises(MetricUnavailable, match="took more than"):
        read_http_regex(server.url, r"((a|a)+)$")
    assert time.monotonic() - started < 5.0  # the timeout is checked now and then


def test_redirects_are_not_followed(serve):
    target = serve(whole(ok_body(b"9 requests")))
    server = serve(whole(b"HTTP/1.1 302 Found\r\nLocation: " + target.url.encode()
                         + b"/\r\nContent-Length: 0\r\n\r\n"))
    with pytest.raises(MetricUnavailable, match="answered 302"):
        read_http_regex(server.url, r"(\d+) requests")
    assert target.connections == 0


@pytest.mark.parametrize(("answer", "regex"), [
    (whole(ok_body(f"{SECRET} requests".encode())), r"(\S+) requests"),
    (whole(f"HTTP/1.1 200 OK\r\n{SECRET}\r\n\r\n".encode()), r"(\d+)"),
    (whole(f"{SECRET}\r\n\r\n".encode()), r"(\d+)"),
])
def test_what_the_server_sent_is_never_echoed(serve, answer, regex):
    server = serve(answer)
    with pytest.raises(MetricUnavailable) as caught:
        read_http_regex(server.url, regex)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("text", [b"nan", b"inf", b"-Infinity", b"1e999"])
def test_a_number_that_is_not_finite_is_unavailable(serve, text):
    server = serve(whole(ok_body(text + b" requests")))
    with pytest.raises(MetricUnavailable, match="not a finite number"):
        read_http_regex(server.url, r"(\S+) requests")


def test_an_unsafe_stored_regex_is_not_run(serve):
    server = serve(whole(ok_body(b"1 requests")))
    with pytest.raises(MetricUnavailable, match="repeats too much"):
        read_http_regex(server.url, r"(a{1000}){1000}(\d)")
    assert server.connections == 0


def test_a_slow_read_never_holds_the_pass_and_runs_once_per_group(serve):
    server = serve(trickle(b"HTTP/1.1 200 OK\r\n" * 10, every=0.2))
    readers = MetricReaders(SimpleNamespace(), inline_wait=0.05)
    source = MetricSource("g1", {"type": "http_regex", "target": 1, "url": server.url,
                                 "regex": r"(\d+)"})
    waits = []
    for _ in range(5):
        started = time.monotonic()
        with pytest.raises(MetricWarmingUp):
            readers.read(source)
        waits.append(time.monotonic() - started)
    assert max(waits) < 0.5
    assert server.connections == 1 and readers.http.in_flight() == 1
    deadline = time.monotonic() + metrics.HTTP_DEADLINE + 2.0
    while readers.http.in_flight() and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(MetricUnavailable, match="timed out"):
        readers.read(source)  # the finished read's result, taken once
    with pytest.raises(MetricWarmingUp):
        readers.read(source)  # and a new read is on its way
    assert server.connections == 2


@pytest.mark.root  # SO_BINDTODEVICE
def test_a_read_leaves_by_its_device_only(serve):
    server = serve(whole(ok_body(b"4 requests")))
    assert read_http_regex(server.url, r"(\d+) requests", device="lo") == 4.0
    with pytest.raises(MetricUnavailable, match="No such device"):
        read_http_regex(server.url, r"(\d+) requests", device="nosuchdev0")
    assert server.connections == 1


def test_a_refused_target_is_never_read(serve):
    server = serve(whole(ok_body(b"1 requests")))
    readers = MetricReaders(SimpleNamespace())
    source = MetricSource("g1", {"type": "http_regex", "target": 1, "url": server.url,
                                 "regex": r"(\d+)"}, refused="not yours")
    with pytest.raises(MetricUnavailable, match="not yours"):
        readers.read(source)
    assert server.connections == 0
