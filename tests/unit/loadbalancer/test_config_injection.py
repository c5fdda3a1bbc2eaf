"""No user string can add a line to haproxy.cfg (it runs as root on the next reload): the API
refuses hostile values (400, nothing stored), and ``render`` refuses any that got through."""

from dataclasses import replace

import pytest

from pocketstack.drivers.loadbalancer import haproxy_config
from pocketstack.drivers.loadbalancer.base import HealthMonitorSpec, MemberSpec
from pocketstack.errors import DriverError
from tests.unit.loadbalancer.conftest import L, fault, make, settle, show
from tests.unit.loadbalancer.test_haproxy_config import spec

PAYLOAD = "\nglobal\n    lua-load /tmp/x.lua\nprogram pwn\n    command /bin/sh -c id\n"


def _with_monitor(**changes):
    monitor = replace(spec().pools[0].health_monitor, **changes)
    pool = replace(spec().pools[0], health_monitor=monitor)
    return spec(pools=(pool,))


def test_names_are_not_written():
    text = haproxy_config.render(spec(name="web" + PAYLOAD), "/run/x/stats.sock")
    assert "web" not in text and "program" not in text
    assert text.splitlines()[0] == "# load balancer lb; written by pocketstack, do not edit"


@pytest.mark.parametrize("changes", [
    {"url_path": "/ok" + PAYLOAD}, {"url_path": "/ok\rx"}, {"url_path": "/ok #x"},
    {"expected_codes": "200\n" + PAYLOAD}, {"http_method": "GET /\nprogram x"},
    {"domain_name": "a.example\nprogram"}, {"http_version": "1.1\x00"},
    {"url_path": "/\"x"}, {"url_path": "/'x"}, {"url_path": "/a\\b"}, {"url_path": "/\x7f"}])
def test_render_refuses_hostile_monitor_values(changes):
    with pytest.raises(DriverError) as raised:
        haproxy_config.render(_with_monitor(**changes), "/run/x/stats.sock")
    assert raised.value.permanent


def test_render_refuses_hostile_ids_and_addresses():
    hostile_member = MemberSpec(id="m1\nprogram x", address="10.0.0.11", protocol_port=80)
    pool = replace(spec().pools[0], members=(hostile_member,))
    for bad in (spec(pools=(pool,)), spec(vip_address="10.0.0.5\nprogram x")):
        with pytest.raises(DriverError):
            haproxy_config.render(bad, "/run/x/stats.sock")


def test_http_version_and_host_are_sent():
    text = haproxy_config.render(_with_monitor(http_version="1.1", domain_name="app.example"),
                                 "/run/x/stats.sock")
    assert "    option httpchk\n    http-check send meth GET uri /ok ver HTTP/1.1 " \
           "hdr Host app.example\n" in text
    text = haproxy_config.render(_with_monitor(http_version="1.0"), "/run/x/stats.sock")
    assert "    http-check send meth GET uri /ok ver HTTP/1.0\n" in text
    assert HealthMonitorSpec(id="x", type="TCP", delay=1, timeout=1,
                             max_retries=1).domain_name is None


def _count(demo, collection: str) -> int:
    return len(demo.get(f"{L}/{collection}").json()[collection])


@pytest.mark.parametrize("fields", [
    {"url_path": "/ok\nprogram x"}, {"url_path": "/ok x"}, {"url_path": "/ok#x"},
    {"url_path": "ok"}, {"url_path": "/%zz"}, {"url_path": "/'"},
    {"expected_codes": "200\n"}, {"expected_codes": "200\nprogram x"},
    {"expected_codes": "200-"}, {"http_method": "GET\n"}, {"http_method": "FETCH"},
    {"name": "hm\nprogram x"}, {"http_version": 2.0},
    {"http_version": 1.0, "domain_name": "a.example"},
    {"http_version": 1.1, "domain_name": "a.example\nx"},
    {"http_version": 1.1, "domain_name": "-bad-.example"}])
def test_hostile_monitor_bodies_are_refused(demo, deployment, stack, fields):
    before = _count(demo, "healthmonitors")
    body = {"pool_id": stack["pool"]["id"], "type": "HTTP", "delay": 5, "timeout": 3,
            "max_retries": 2, **fields}
    fault(demo.post(f"{L}/healthmonitors", json={"healthmonitor": body}), 400)
    assert _count(demo, "healthmonitors") == before
    lb = show(demo, "loadbalancers", "loadbalancer", stack["lb"]["id"])
    assert lb["provisioning_status"] == "ACTIVE"


def test_hostile_monitor_update_is_refused(demo, deployment, stack):
    monitor = make(demo, "healthmonitors", "healthmonitor", pool_id=stack["pool"]["id"],
                   type="HTTP", delay=5, timeout=3, max_retries=2, url_path="/a?b=%20c")
    settle(deployment)
    for changes in ({"url_path": "/\nprogram x"}, {"expected_codes": "200\n"},
                    {"name": "x\r\ny"}):
        answer = demo.put(f"{L}/healthmonitors/{monitor['id']}",
                          json={"healthmonitor": changes})
        fault(answer, 400)
    shown = show(demo, "healthmonitors", "healthmonitor", monitor["id"])
    assert (shown["url_path"], shown["expected_codes"], shown["name"]) == ("/a?b=%20c", "200",
                                                                          "")


@pytest.mark.parametrize("text", ["a\nb", "a\rb", "a\x00", "tab\there", "a\u2028b", "a\x85"])
def test_control_characters_in_names_are_refused(demo, deployment, subnet, stack, text):
    lbs = _count(demo, "loadbalancers")
    fault(demo.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "name": text, "vip_subnet_id": subnet["id"]}}), 400)
    fault(demo.post(f"{L}/loadbalancers", json={"loadbalancer": {
        "description": text, "vip_subnet_id": subnet["id"]}}), 400)
    assert _count(demo, "loadbalancers") == lbs
    fault(demo.post(f"{L}/listeners", json={"listener": {
        "loadbalancer_id": stack["lb"]["id"], "protocol": "TCP", "protocol_port": 81,
        "name": text}}), 400)
    fault(demo.post(f"{L}/pools", json={"pool": {
        "loadbalancer_id": stack["lb"]["id"], "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN",
        "description": text}}), 400)
    fault(demo.post(f"{L}/pools/{stack['pool']['id']}/members", json={"member": {
        "address": "10.1.0.30", "protocol_port": 80, "name": text}}), 400)
    fault(demo.post(f"{L}/pools/{stack['pool']['id']}/members", json={"member": {
        "address": "10.1.0.30", "protocol_port": 80, "tags": [text]}}), 400)
    for collection, key, item in (("loadbalancers", "loadbalancer", stack["lb"]),
                                  ("listeners", "listener", stack["listener"]),
                                  ("pools", "pool", stack["pool"])):
        fault(demo.put(f"{L}/{collection}/{item['id']}", json={key: {"name": text}}), 400)
    member = stack["members"][0]
    fault(demo.put(f"{L}/pools/{stack['pool']['id']}/members/{member['id']}",
                   json={"member": {"name": text}}), 400)
    assert _count(demo, "listeners") == 1 and _count(demo, "pools") == 1
    assert len(demo.get(f"{L}/pools/{stack['pool']['id']}/members").json()["members"]) == 2
    assert show(demo, "loadbalancers", "loadbalancer",
                stack["lb"]["id"])["provisioning_status"] == "ACTIVE"
