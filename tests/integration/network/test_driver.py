"""The linux network driver alone, in a test "host" namespace (nothing touches the
namespace pytest runs in): bridges, a router with SNAT, floating IPs, hairpin, security
groups, host protection, metadata listeners, overlapping CIDRs, sweep and idempotency."""

import time

import pytest

from pocketstack.errors import DriverError
from pocketstack.host import links, names, netns, nft

from .helpers import (
    PUBLIC,
    fip,
    leg,
    listener,
    make_driver,
    port,
    private,
    read_from,
    router,
    snapshot,
    tcp_ok,
    tcp_rule,
    wait_until,
)
from .helpers import boot as boot_port

pytestmark = pytest.mark.root


@pytest.fixture
def host(prefix):
    ns = names.kernel_name(prefix, "host_ns", "host")
    netns.create(ns)
    yield ns
    netns.delete(ns)


@pytest.fixture
def driver(prefix, scratch, host):
    calls = []

    def responder(router_id, source_ip, path):
        calls.append((router_id, source_ip, path))
        return 200, "text/plain", f"{router_id} {source_ip} {path}".encode()

    made = make_driver(prefix, scratch, host, responder)
    yield made
    made.close()


def build(driver, prefix, host, members=("10.0.0.5", "10.0.0.6")):
    """public + private networks, a router between them, two instances a and b."""
    driver.ensure_network(PUBLIC)
    driver.ensure_network(private())
    start = time.monotonic()
    driver.ensure_router(router(interfaces=[leg("r1-leg", "private-net", "10.0.0.1")]))
    router_seconds = time.monotonic() - start
    specs = {name: port(name, ip, members=members)
             for name, ip in (("porta", "10.0.0.5"), ("portb", "10.0.0.6"))}
    for spec in specs.values():
        driver.plug_port(spec)
    namespaces = {name: boot_port(prefix, host, spec) for name, spec in specs.items()}
    return specs, namespaces, router_seconds


def ping(ns, address):
    return netns.execute(ns, ["ping", "-c", "1", "-W", "1", address], check=False).returncode == 0


def test_router_snat_floating_ip_hairpin_groups_and_host_protection(driver, prefix, host):
    specs, ns, router_seconds = build(driver, prefix, host)
    a, b = ns["porta"], ns["portb"]
    assert ping(a, "10.0.0.6") and ping(b, "10.0.0.5")  # same group: members reach each other

    # SNAT to the router's external IP, seen by a machine on the public network
    outside = names.kernel_name(prefix, "instance_ns", "outside")
    netns.create(outside)
    links.ensure_port(names.kernel_name(prefix, "peer", "outside"),
                      names.kernel_name(prefix, "bridge", PUBLIC.id), outside, "eth0",
                      cidrs=["172.24.4.100/24"], ns=host)
    with listener(outside, "172.24.4.100", 8000):
        assert read_from(b, "172.24.4.100", 8000) == "172.24.4.2"

        start = time.monotonic()
        driver.ensure_floating_ip(fip("f1", "172.24.4.10", "10.0.0.5"))
        with listener(a, "0.0.0.0", 8080):
            driver.plug_port(port("porta", "10.0.0.5", members=("10.0.0.5", "10.0.0.6"),
                                  extra=(tcp_rule(8080),)))
            fip_seconds = wait_until(lambda: tcp_ok(host, "172.24.4.10", 8080, 0.2))
            fip_seconds = time.monotonic() - start
            assert read_from(host, "172.24.4.10", 8080) == "172.24.4.1"  # from the host
            assert read_from(b, "172.24.4.10", 8080) == "10.0.0.1"  # hairpin
            assert read_from(a, "172.24.4.10", 8080) == "10.0.0.1"  # itself, via the router
        assert read_from(a, "172.24.4.100", 8000) == "172.24.4.10"  # SNAT to its floating IP

    # closing the rule closes new connections
    with listener(a, "0.0.0.0", 8080):
        driver.plug_port(specs["porta"])
        assert not tcp_ok(host, "172.24.4.10", 8080, 0.5)
        assert tcp_ok(b, "10.0.0.5", 8080)  # members still may

    # floating IP gone: nothing answers; the host forgot the neighbour
    driver.remove_floating_ip("f1")
    with listener(a, "0.0.0.0", 8080):
        driver.plug_port(port("porta", "10.0.0.5", extra=(tcp_rule(8080),)))
        assert not tcp_ok(host, "172.24.4.10", 8080, 0.5)
        assert tcp_ok(b, "10.0.0.5", 8080)  # the rule itself is open

    # host protection: instances reach no service of the host, the host still reaches them
    with listener(host, "0.0.0.0", 18812):
        assert tcp_ok(host, "172.24.4.1", 18812)
        assert not tcp_ok(b, "172.24.4.1", 18812)
        assert not tcp_ok(b, "10.0.0.1", 22)  # (nothing listens on the router either)
    assert not ping(b, "172.24.4.1")

    # anti-spoofing: another source address does not leave the port
    netns.execute(b, ["ip", "addr", "add", "10.0.0.99/24", "dev", "eth0"])
    spoofed = netns.execute(b, ["ping", "-c", "1", "-W", "1", "-I", "10.0.0.99", "10.0.0.5"],
                            check=False)
    assert spoofed.returncode != 0

    # metadata through the router, identified by source IP
    body = read_from(b, "169.254.169.254", 80,
                     b"GET /openstack/latest/meta_data.json HTTP/1.0\r\n\r\n")
    assert body.startswith("HTTP/1.0 200")
    assert body.endswith("router-1 10.0.0.6 /openstack/latest/meta_data.json")

    print(f"\nTIMING router create {router_seconds * 1000:.0f} ms; "
          f"floating IP associate + rule -> reachable {fip_seconds * 1000:.0f} ms")


def test_security_group_rule_opens_and_closes_quickly(driver, prefix, host):
    specs, ns, _ = build(driver, prefix, host)
    with listener(ns["porta"], "0.0.0.0", 80):
        assert not tcp_ok(host, "10.0.0.5", 80, 0.3)  # no route from the host anyway
        driver.ensure_floating_ip(fip("f1", "172.24.4.10", "10.0.0.5"))
        assert not tcp_ok(host, "172.24.4.10", 80, 0.5)
        start = time.monotonic()
        driver.plug_port(port("porta", "10.0.0.5", members=("10.0.0.5", "10.0.0.6"),
                              extra=(tcp_rule(80),)))
        opened = wait_until(lambda: tcp_ok(host, "172.24.4.10", 80, 0.2), timeout=1.0)
        assert time.monotonic() - start < 1.0, opened
        driver.plug_port(specs["porta"])
        assert not tcp_ok(host, "172.24.4.10", 80, 0.5)


def test_same_cidr_on_two_networks_stays_apart(driver, prefix, host):
    driver.ensure_network(private("net-x"))
    driver.ensure_network(private("net-y"))
    pairs = {}
    for net in ("net-x", "net-y"):
        specs = [port(f"{net}-{i}", f"10.0.0.{5 + i}", net, members=("10.0.0.5", "10.0.0.6"))
                 for i in (0, 1)]
        for spec in specs:
            driver.plug_port(spec)
        pairs[net] = [boot_port(prefix, host, spec) for spec in specs]
    for first, second in pairs.values():
        assert ping(first, "10.0.0.6") and ping(second, "10.0.0.5")
    tracked = netns.execute(host, ["conntrack", "-L", "-p", "icmp"], check=False).stdout
    zones = {line.split("zone=")[1].split()[0] for line in tracked.splitlines() if "zone=" in line}
    assert len(zones) == 2
    # a port of net-x cannot be reached from net-y's bridge: different segments
    netns.execute(pairs["net-y"][0], ["ip", "neigh", "flush", "all"])
    assert ping(pairs["net-y"][0], "10.0.0.6")
    mac_y = names.mac_for_ip("10.0.0.6")
    neigh = netns.execute(pairs["net-y"][0], ["ip", "neigh"]).stdout
    assert mac_y in neigh and links.link_info(
        names.kernel_name(prefix, "port", "net-y-1"), host)["master"] == names.kernel_name(
        prefix, "bridge", "net-y")


def test_unknown_port_is_closed_until_plugged(driver, prefix, host):
    driver.ensure_network(private())
    a_spec, b_spec = port("porta", "10.0.0.5"), port("portb", "10.0.0.6", members=("10.0.0.5",))
    a = boot_port(prefix, host, a_spec)
    boot_port(prefix, host, b_spec)
    assert not ping(a, "10.0.0.6")  # neither port has rules yet: closed
    driver.plug_port(a_spec)
    driver.plug_port(b_spec)
    wait_until(lambda: ping(a, "10.0.0.6"), timeout=5)  # (a failed ARP entry may linger)


def test_idempotent_sweepable_and_restored_behind_its_back(driver, prefix, host, scratch):
    build(driver, prefix, host)
    driver.ensure_floating_ip(fip("f1", "172.24.4.10", "10.0.0.5"))
    spec = router(interfaces=[leg("r1-leg", "private-net", "10.0.0.1")])
    before = snapshot(prefix, host)
    driver.ensure_network(PUBLIC)
    driver.ensure_network(private())
    driver.ensure_router(spec)
    driver.ensure_floating_ip(fip("f1", "172.24.4.10", "10.0.0.5"))
    driver.plug_port(port("porta", "10.0.0.5", members=("10.0.0.5", "10.0.0.6")))
    assert snapshot(prefix, host) == before

    inventory = driver.inventory()
    assert inventory.networks == {"public-net", "private-net"}
    assert inventory.routers == {"router-1"}
    assert inventory.ports == {"porta", "portb"}
    assert inventory.floating_ips == {"f1"}

    # deleted behind its back: the next ensure brings it back
    driver.metadata.stop("router-1")
    netns.delete(names.kernel_name(prefix, "router_ns", "router-1"))
    nft.delete_tables(prefix, host)
    driver.ensure_router(spec)
    driver.ensure_floating_ip(fip("f1", "172.24.4.10", "10.0.0.5"))
    driver.ensure_network(private())
    assert snapshot(prefix, host) == before

    # a restarted driver maps kernel names back to ids and removes orphans by them
    driver.close()
    again = make_driver(prefix, scratch, host)
    try:
        assert again.inventory() == inventory
        orphan = names.kernel_name(prefix, "bridge", "orphan-net")
        links.ensure_bridge(orphan, host)
        assert "orphanne" in again.inventory().networks  # a bare fragment is a valid id
        again.delete_network("orphanne")
        again.remove_floating_ip("f1")
        again.delete_router("router-1")
        for port_id in ("porta", "portb"):
            again.unplug_port(port_id)
        for network_id in ("private-net", "public-net"):
            again.delete_network(network_id)
        again.delete_network("never-made")  # absent: fine
        assert again.inventory() == type(inventory)()
        assert netns.list_names(prefix, "router_ns") == []
        assert links.list_links(prefix, host, "bridge") == []
    finally:
        again.close()


def test_a_public_range_in_use_on_the_host_is_refused(driver, prefix, host):
    other = names.kernel_name(prefix, "vxlan", "not-ours")  # stands for a foreign interface
    links.ensure_bridge(other, host, cidr="172.24.4.254/24")
    with pytest.raises(DriverError) as caught:
        driver.ensure_network(PUBLIC)
    assert caught.value.permanent and other in caught.value.message
    assert links.list_links(prefix, host, "bridge") == []
