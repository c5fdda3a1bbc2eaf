"""The haproxy driver alone in a test host namespace: a load balancer survives a restart of
its driver, comes back after its master is killed, and leaves nothing when destroyed (nor
when swept by name after its run dir is lost)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

from pocketstack.config import Settings
from pocketstack.drivers.loadbalancer.base import ListenerSpec, LoadBalancerSpec
from pocketstack.drivers.loadbalancer.haproxy import HaproxyLoadBalancerDriver, purge
from pocketstack.host import haproxy, links, names, netns

pytestmark = pytest.mark.root

LB_ID = "0b1dface-0000-4000-8000-000000000001"


@pytest.fixture
def host(prefix, scratch):
    if not haproxy.available():
        pytest.skip("needs haproxy (apt-get install haproxy)")
    name = names.kernel_name(prefix, "host_ns", "lbhost")
    netns.create(name)
    links.ensure_bridge(names.kernel_name(prefix, "bridge", "net"), name)
    try:
        yield name
    finally:
        netns.call(name, purge, prefix)
        netns.delete(name)


def make_driver(prefix: str, scratch: str, host: str) -> HaproxyLoadBalancerDriver:
    return HaproxyLoadBalancerDriver(Settings(data_dir=Path(scratch), prefix=prefix,
                                              driver="namespace", extra={"host_ns": host}))


SPEC = LoadBalancerSpec(id=LB_ID, name="t", vip_port_id="vipport", vip_network_id="net",
                        vip_address="10.6.0.5", prefix_length=24,
                        mac_address="fa:16:3e:06:00:05",
                        listeners=(ListenerSpec(id="listener", protocol="TCP",
                                                protocol_port=3306),))


def listening(prefix: str) -> bool:
    """Whether HAProxy completes a TCP handshake on the VIP's listener. The listener has no
    pool, so HAProxy resets each connection it accepts; on a busy host that reset can land
    before ``connect`` returns (ECONNRESET), which still proves the handshake. Nothing
    listening is ECONNREFUSED, a dropped SYN a timeout: both False."""
    def attempt() -> bool:
        try:
            with socket.create_connection(("10.6.0.5", 3306), timeout=1.0):
                return True
        except ConnectionResetError:
            return True
        except OSError:
            return False

    return netns.call(names.kernel_name(prefix, "lb_ns", LB_ID), attempt)


def test_restart_kill_and_destroy(prefix, scratch, host):
    driver = make_driver(prefix, scratch, host)
    driver.ensure(SPEC)
    assert listening(prefix)
    again = make_driver(prefix, scratch, host)  # as after a restart of pocketstack
    assert again.is_running(LB_ID) and again.list_loadbalancers() == {LB_ID}
    run_dir = os.path.join(scratch, "loadbalancers", LB_ID)
    os.kill(haproxy.master_pid(run_dir), signal.SIGKILL)
    deadline = time.monotonic() + 5
    while again.is_running(LB_ID) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not again.is_running(LB_ID)
    again.ensure(SPEC)
    assert again.is_running(LB_ID) and listening(prefix)
    again.destroy(LB_ID)
    again.destroy(LB_ID)  # already gone: fine
    assert not netns.exists(names.kernel_name(prefix, "lb_ns", LB_ID))
    assert not links.link_exists(names.kernel_name(prefix, "port", "vipport"), host)
    assert again.list_loadbalancers() == set()


def test_a_load_balancer_whose_run_dir_is_lost_is_swept_by_name(prefix, scratch, host):
    driver = make_driver(prefix, scratch, host)
    driver.ensure(SPEC)
    haproxy.stop(os.path.join(scratch, "loadbalancers", LB_ID))
    shutil.rmtree(os.path.join(scratch, "loadbalancers", LB_ID))
    found = driver.list_loadbalancers()
    assert found == {names.fragment(LB_ID)}
    for key in found:
        driver.destroy(key)
    assert netns.list_names(prefix, "lb_ns") == []
