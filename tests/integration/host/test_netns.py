import os
import socket

import pytest

from pocketstack.host import names, netns

pytestmark = pytest.mark.root


def test_create_is_idempotent_lists_by_prefix_and_delete_tolerates_gone(prefix):
    ns = names.kernel_name(prefix, "instance_ns", "a")
    router = names.kernel_name(prefix, "router_ns", "r")
    netns.create(ns)
    netns.create(ns)
    netns.create(router)
    assert netns.list_names(prefix) == sorted([ns, router])
    assert netns.list_names(prefix, kind="router_ns") == [router]
    assert "state UNKNOWN" in netns.execute(ns, ["ip", "link", "show", "lo"]).stdout
    netns.delete(ns)
    netns.delete(ns)
    assert netns.list_names(prefix) == [router]


def test_sysctl_and_sockets_stay_inside_the_namespace(prefix):
    router = names.kernel_name(prefix, "router_ns", "r")
    netns.create(router)
    before = netns.get_sysctl(None, "net.ipv4.ip_forward")
    netns.set_sysctl(router, "net.ipv4.ip_forward", 1)
    assert netns.get_sysctl(router, "net.ipv4.ip_forward") == "1"
    assert netns.get_sysctl(None, "net.ipv4.ip_forward") == before
    server = netns.call(router, socket.create_server, ("127.0.0.1", 0))
    port = server.getsockname()[1]
    try:
        listening = netns.execute(router, ["ss", "-ltnH"]).stdout
        assert f":{port}" in listening
        assert f":{port} " not in netns.execute(None, ["ss", "-ltnH"]).stdout
    finally:
        server.close()


def test_br_netfilter_sysctl_is_per_namespace(prefix):
    host = names.kernel_name(prefix, "host_ns", "h")
    netns.create(host)
    key = "net.bridge.bridge-nf-call-iptables"
    outside = netns.get_sysctl(None, key)
    netns.set_sysctl(host, key, 0)
    assert netns.get_sysctl(host, key) == "0"
    assert netns.get_sysctl(None, key) == outside
    netns.set_sysctl(host, key, 1)
    assert netns.get_sysctl(host, key) == "1"


def test_a_stale_name_is_replaced_by_a_live_namespace(prefix):
    name = names.kernel_name(prefix, "instance_ns", "stale")
    path = f"/run/netns/{name}"
    open(path, "w").close()  # what a vanished private mount namespace leaves behind
    try:
        assert not netns.exists(name)
        netns.create(name)
        assert netns.exists(name)
        assert netns.execute(name, ["ip", "-o", "link", "show", "lo"]).returncode == 0
    finally:
        netns.delete(name)
    assert not os.path.exists(path)
