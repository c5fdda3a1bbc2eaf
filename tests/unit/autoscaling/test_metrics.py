"""Metric readers: HTTP with a regex, CPU from the compute driver, load balancer stats."""

from __future__ import annotations

import http.server
import threading
from types import SimpleNamespace

import pytest

from pocketstack.agent.metrics import (
    MetricReaders,
    MetricSource,
    MetricUnavailable,
    MetricWarmingUp,
    read_http_regex,
)
from pocketstack.drivers.compute.base import InstanceSpec
from pocketstack.drivers.compute.fake import FakeComputeDriver
from pocketstack.errors import DriverError

STATUS = "Total Accesses: 10\n7 requests currently being processed, 3 idle workers\n"


@pytest.fixture
def status_server():
    """An HTTP server on 127.0.0.1 answering ``/server-status`` (404 elsewhere)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            found = self.path.startswith("/server-status")
            self.send_response(200 if found else 404)
            self.end_headers()
            self.wfile.write(STATUS.encode() if found else b"no")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_regex_reads_group_one(status_server):
    value = read_http_regex(f"{status_server}/server-status?auto", r"(\d+) requests currently")
    assert value == 7.0


@pytest.mark.parametrize(("path", "regex", "words"), [
    ("/elsewhere", r"(\d+)", "404"),
    ("/server-status", r"(\d+) sleeping", "found nothing"),
    ("/server-status", r"(idle)", "not a number"),
])
def test_http_regex_says_what_went_wrong(status_server, path, regex, words):
    with pytest.raises(MetricUnavailable, match=words):
        read_http_regex(status_server + path, regex)


def test_http_regex_unreachable_is_unavailable():
    with pytest.raises(MetricUnavailable, match="GET http://127.0.0.1:9/"):
        read_http_regex("http://127.0.0.1:9/", r"(\d+)")


def spawn(driver: FakeComputeDriver, instance_id: str) -> None:
    driver.spawn(InstanceSpec(id=instance_id, name=instance_id, hostname=instance_id,
                              image_id="i", vcpus=1, memory_mb=64, disk_gb=0))


def test_cpu_is_the_sum_of_server_percentages(monkeypatch):
    driver = FakeComputeDriver()
    spawn(driver, "a")
    spawn(driver, "b")
    readers = MetricReaders(SimpleNamespace(compute_driver=driver))
    clock = iter([100.0, 102.0])
    monkeypatch.setattr("pocketstack.agent.metrics.time.monotonic", lambda: next(clock))
    source = MetricSource("g", {"type": "cpu", "target": 50}, server_ids=("a", "b"))
    with pytest.raises(MetricWarmingUp):
        readers.read(source)
    driver.add_cpu_seconds("a", 2.0)  # 100 % of a CPU over 2 s
    driver.add_cpu_seconds("b", 0.5)  # 25 %
    assert readers.read(source) == pytest.approx(125.0)


def test_cpu_without_servers_is_warming_up():
    readers = MetricReaders(SimpleNamespace(compute_driver=FakeComputeDriver()))
    with pytest.raises(MetricWarmingUp):
        readers.read(MetricSource("g", {"type": "cpu", "target": 50}))


def test_namespace_less_driver_errors_are_unavailable():
    driver = FakeComputeDriver()
    with pytest.raises(DriverError):
        driver.cpu_seconds("missing")


class Stats:
    def __init__(self, **values):
        self.values = values

    def stats(self, loadbalancer_id):
        if loadbalancer_id != "lb":
            raise DriverError("no such load balancer", permanent=False)
        return SimpleNamespace(**self.values)


def test_load_balancer_metrics_and_member_sessions():
    members = {"m1": SimpleNamespace(current_sessions=3, status="DRAIN"),
               "m2": SimpleNamespace(current_sessions=0, status="UP")}  # may get new ones
    cloud = SimpleNamespace(loadbalancer_driver=Stats(active_connections=12, request_rate=4.5,
                                                      members=members))
    readers = MetricReaders(cloud)
    connections = MetricSource("g", {"type": "loadbalancer_connections", "target": 5}, "lb")
    rate = MetricSource("g", {"type": "loadbalancer_request_rate", "target": 5}, "lb")
    assert readers.read(connections) == 12.0 and readers.read(rate) == 4.5
    assert readers.member_sessions(connections) == {"m1": 3, "m2": None}
    broken = MetricSource("g", {"type": "loadbalancer_connections", "target": 5}, "other")
    with pytest.raises(MetricUnavailable, match="no such load balancer"):
        readers.read(broken)
    assert readers.member_sessions(broken) is None


def test_no_load_balancer_driver_is_unavailable():
    readers = MetricReaders(SimpleNamespace())
    with pytest.raises(MetricUnavailable, match="no load balancer"):
        readers.read(MetricSource("g", {"type": "loadbalancer_connections", "target": 5}, "lb"))
