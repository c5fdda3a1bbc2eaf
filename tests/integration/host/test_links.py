import time

import pytest

from pocketstack.host import links, names, netns

from .helpers import ping, plug

pytestmark = pytest.mark.root


def _topology(prefix):
    host = names.kernel_name(prefix, "host_ns", "h")
    a = names.kernel_name(prefix, "instance_ns", "a")
    b = names.kernel_name(prefix, "instance_ns", "b")
    for ns in (host, a, b):
        netns.create(ns)
    bridge = names.kernel_name(prefix, "bridge", "net1")
    links.ensure_bridge(bridge, ns=host)
    return host, a, b, bridge


def test_bridge_has_no_address_and_ports_reach_each_other(prefix):
    host, a, b, bridge = _topology(prefix)
    port_a = plug(prefix, host, bridge, "pa", a, "10.1.0.5/24", gateway="10.1.0.1")
    plug(prefix, host, bridge, "pb", b, "10.1.0.6/24")
    assert links.link_info(bridge, host)["addresses"] == []
    inner = links.link_info("eth0", a)
    assert inner["mac"] == "fa:16:3e:01:00:05" and "10.1.0.5/24" in inner["addresses"]
    assert links.link_info(port_a, host)["master"] == bridge
    assert "default via 10.1.0.1 dev eth0" in " ".join(links.routes(a))
    assert ping(a, "10.1.0.6")
    assert not links.link_exists(port_a)  # nothing leaked into the test's own namespace


def test_ensure_port_is_idempotent_and_repairs_half_made_pairs(prefix):
    host, a, _, bridge = _topology(prefix)
    port = plug(prefix, host, bridge, "pa", a, "10.1.0.5/24")
    plug(prefix, host, bridge, "pa", a, "10.1.0.5/24")
    links.delete_link("eth0", a)  # the peer vanished behind our back
    assert not links.link_exists(port, host)
    plug(prefix, host, bridge, "pa", a, "10.1.0.5/24", gateway="10.1.0.1")
    assert links.link_info(port, host)["up"] and links.link_exists("eth0", a)
    links.set_mtu("eth0", 1400, a)
    assert links.link_info("eth0", a)["mtu"] == 1400


def test_list_sweep_and_delete_by_prefix(prefix):
    host, a, b, bridge = _topology(prefix)
    keep = plug(prefix, host, bridge, "pa", a, "10.1.0.5/24")
    doomed = plug(prefix, host, bridge, "pb", b, "10.1.0.6/24")
    assert set(links.list_links(prefix, host)) == {bridge, keep, doomed}
    assert links.sweep(prefix, keep=[bridge, keep], ns=host) == [doomed]
    assert not links.link_exists("eth0", b)
    links.delete_link(doomed, host)  # already gone: fine
    links.delete_link(keep, host)
    links.delete_link(bridge, host)
    assert links.list_links(prefix, host) == []


def test_timing_netns_and_port_create_delete(prefix):
    host, _, _, bridge = _topology(prefix)
    creates, deletes = [], []
    for index in range(10):
        ns = names.kernel_name(prefix, "instance_ns", f"t{index}")
        start = time.perf_counter()
        netns.create(ns)
        plug(prefix, host, bridge, f"t{index}", ns, f"10.2.0.{index + 10}/24", "10.2.0.1")
        creates.append(time.perf_counter() - start)
        start = time.perf_counter()
        links.delete_link(names.kernel_name(prefix, "port", f"t{index}"), host)
        netns.delete(ns)
        deletes.append(time.perf_counter() - start)
    median = lambda values: sorted(values)[len(values) // 2]
    print(f"\nTIMING netns+port create median {median(creates) * 1000:.1f} ms, "
          f"delete median {median(deletes) * 1000:.1f} ms")
    assert median(creates) < 1.0
