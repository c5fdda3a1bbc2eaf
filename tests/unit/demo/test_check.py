"""The --check verdict, the load test against a local server, and teardown order."""

from __future__ import annotations

import http.server
import threading

import pytest

from pocketstack.demo.check import held, report
from pocketstack.demo.client import DemoError
from pocketstack.demo.load import Load, LoadResult, check_local
from pocketstack.demo.teardown import Teardown
from pocketstack.demo.webgame import GroupShape

GOOD = {"scale_out_seconds": 3.2, "max_php_servers": 3, "min_php_servers_after": 1,
        "requests": 900, "failed_requests": 0, "replication_ok": True,
        "teardown_failures": []}


def test_all_held():
    assert held(GOOD, GroupShape()) == []


@pytest.mark.parametrize("change, words", [
    ({"scale_out_seconds": None}, "no new PHP server"),
    ({"max_php_servers": 1}, "never grew"),
    ({"min_php_servers_after": 2}, "did not come back"),
    ({"failed_requests": 3}, "3 of 900 requests failed"),
    ({"requests": 0}, "requests failed"),
    ({"replication_ok": False}, "replica"),
    ({"teardown_failures": ["router r: 409"]}, "teardown left: router r"),
])
def test_each_broken_expectation_is_named(change, words):
    broken = held({**GOOD, **change}, GroupShape())
    assert len(broken) == 1 and words in broken[0], broken


def test_report_times_the_first_new_server():
    result = LoadResult()
    result.record("php-aaaaaa", 0.1, None)
    result.record(None, 0.5, "ConnectError")
    result.record("php-bbbbbb", 4.25, None)
    result.record("php-cccccc", 6.0, None)
    figures = report(result, {"php-aaaaaa"}, most=3, after=1, replicated=True)
    assert figures == {"scale_out_seconds": 4.25, "max_php_servers": 3,
                       "min_php_servers_after": 1, "requests": 4, "failed_requests": 1,
                       "replication_ok": True}
    assert report(LoadResult(), {"a"}, 1, 1, True)["scale_out_seconds"] is None


@pytest.mark.parametrize("url", ["http://8.8.8.8/", "http://example.com/"])
def test_load_refuses_targets_off_the_machine(url):
    with pytest.raises(ValueError):
        check_local(url)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    calls = 0

    def do_GET(self):
        Handler.calls += 1
        status = 503 if Handler.calls % 5 == 0 else 200
        self.send_response(status)
        self.send_header("X-Served-By", f"php-{Handler.calls % 2}")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_bounded_load_counts_requests_failures_and_servers():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        load = Load(f"http://127.0.0.1:{server.server_port}/top", concurrency=4,
                    duration=1.0, think=0.01)
        load.start()
        result = load.join()
    finally:
        server.shutdown()
    assert result.requests == Handler.calls >= 5
    assert result.failed == Handler.calls // 5 and result.errors == {"HTTP 503": result.failed}
    assert set(result.first_seen) == {"php-0", "php-1"}
    assert all(0 <= offset < 1.5 for offset in result.first_seen.values())


def test_teardown_undoes_newest_first_and_keeps_going():
    done, said = [], []

    def fail():
        raise DemoError("409 in use")
    teardown = Teardown(said.append)
    teardown.push("network n", lambda: done.append("network"))
    teardown.push("router r", fail)
    teardown.push("server s", lambda: done.append("server"))
    assert teardown.run() == ["router r: 409 in use"]
    assert done == ["server", "network"] and teardown.steps == []
    assert said[0] == "deleting server s"
