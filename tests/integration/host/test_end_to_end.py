"""Instances, a router with SNAT and floating IPs, and security groups, all inside a test
"host" namespace: nothing here touches the namespace pytest runs in."""

import subprocess
import time

import pytest

from pocketstack.host import instance, links, names, netns, nft

from .helpers import (
    http_get,
    make_image,
    peer_recorder,
    ping,
    plug,
    spec_for,
    tcp_connect,
    wait_tcp,
)

pytestmark = pytest.mark.root

WEB = "#!/bin/sh\ncd /tmp && exec python3 -m http.server 80\n"
PUBLIC_GW, ROUTER_EXT = "172.24.4.1", "172.24.4.2"


class Cloud:
    """One host namespace with a public bridge, a tenant network and a router."""

    def __init__(self, prefix, scratch):
        self.prefix, self.scratch = prefix, scratch
        self.host = names.kernel_name(prefix, "host_ns", "host")
        netns.create(self.host)
        nft.enable_br_netfilter(self.host)
        self.public = names.kernel_name(prefix, "bridge", "public")
        self.tenant = names.kernel_name(prefix, "bridge", "net1")
        links.ensure_bridge(self.public, ns=self.host, cidr=f"{PUBLIC_GW}/24")
        links.ensure_bridge(self.tenant, ns=self.host)
        self.router = names.kernel_name(prefix, "router_ns", "r1")
        netns.create(self.router)
        netns.set_sysctl(self.router, "net.ipv4.ip_forward", 1)
        self.ext_leg = names.kernel_name(prefix, "peer", "rext")
        self.int_leg = names.kernel_name(prefix, "peer", "rint")
        plug(prefix, self.host, self.public, "rext", self.router, f"{ROUTER_EXT}/24",
             PUBLIC_GW, inner=self.ext_leg)
        plug(prefix, self.host, self.tenant, "rint", self.router, "10.0.0.1/24",
             inner=self.int_leg)
        self.router_table = names.kernel_name(prefix, "table", "r1")
        self.sg_table = names.kernel_name(prefix, "table", "sg")
        self.floating: dict[str, str] = {}
        self.ports: dict[str, str] = {}  # fixed ip -> host-side port
        self.layer = make_image(scratch)
        self.apply_router()

    def apply_router(self):
        legs = [nft.RouterLeg(self.int_leg, "10.0.0.1", "10.0.0.0/24")]
        nft.apply(nft.render_router(self.router_table, self.ext_leg, ROUTER_EXT, legs,
                                    self.floating), self.router)

    def boot(self, instance_id, ip, user_data=WEB, **extra):
        spec = spec_for(self.prefix, self.scratch, instance_id, [self.layer],
                        user_data=user_data, memory_mb=256, vcpus=1, **extra)
        netns.create(spec.netns)
        self.ports[ip] = plug(self.prefix, self.host, self.tenant, instance_id, spec.netns,
                              f"{ip}/24", "10.0.0.1")
        instance.spawn(spec)
        return spec

    def associate(self, fip, fixed):
        links.add_address(self.ext_leg, f"{fip}/32", self.router)
        nft.add_floating_ip(self.router_table, fip, fixed, self.router)
        self.floating[fip] = fixed

    def apply_groups(self, web_open, open_ports=()):
        members = tuple(self.ports)
        ingress = [nft.Rule("IPv4", remote_cidrs=members)]
        for port in (80, *open_ports) if web_open else open_ports:
            ingress.append(nft.Rule("IPv4", "tcp", port, port, ("0.0.0.0/0",)))
        ports = [nft.Port(port, self.tenant, (ip,), tuple(ingress))
                 for ip, port in self.ports.items()]
        nft.apply(nft.render_security_groups(self.sg_table, ports, {self.tenant: 7}), self.host)


@pytest.fixture
def cloud(prefix, scratch):
    return Cloud(prefix, scratch)


def test_two_instances_router_snat_floating_ip_and_security_groups(cloud):
    a = cloud.boot("a", "10.0.0.5")
    b = cloud.boot("b", "10.0.0.6")
    cloud.apply_groups(web_open=False)
    cloud.associate("172.24.4.10", "10.0.0.5")
    for spec in (a, b):
        assert instance.wait_ready(spec.run_dir, 20), instance.console_log(spec.run_dir)

    assert ping(a.netns, "10.0.0.6") and ping(b.netns, "10.0.0.5")
    with peer_recorder(cloud.host, PUBLIC_GW, 8000) as next_peer:
        assert tcp_connect(b.netns, PUBLIC_GW, 8000, timeout=2)
        assert next_peer() == ROUTER_EXT  # SNAT to the router's external IP
        assert tcp_connect(a.netns, PUBLIC_GW, 8000, timeout=2)
        assert next_peer() == "172.24.4.10"  # SNAT to its floating IP

    wait_tcp(b.netns, "10.0.0.5", 80)  # the group lets members in
    assert not tcp_connect(cloud.host, "172.24.4.10", 80, timeout=1)  # blocked: no rule
    cloud.apply_groups(web_open=True)
    assert "200 OK" in http_get(cloud.host, "172.24.4.10")
    assert "200 OK" in http_get(b.netns, "172.24.4.10")  # hairpin
    assert "200 OK" in http_get(a.netns, "172.24.4.10")  # to itself through the router
    cloud.apply_groups(web_open=False)
    assert not tcp_connect(cloud.host, "172.24.4.10", 80, timeout=1)  # closed again

    tracked = netns.execute(cloud.host, ["conntrack", "-L"], check=False).stdout
    assert "zone=7" in tracked
    assert links.list_links(cloud.prefix) == []  # the test's own namespace stayed clean
    assert nft.list_tables(cloud.prefix) == []


def test_ssh_key_login_through_a_floating_ip(cloud, scratch):
    key = f"{scratch}/id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    with open(f"{key}.pub") as handle:
        public_key = handle.read().strip()
    spec = cloud.boot("s", "10.0.0.7", user_data=None, authorized_keys=[public_key])
    cloud.associate("172.24.4.12", "10.0.0.7")
    cloud.apply_groups(web_open=False, open_ports=(22,))
    assert instance.wait_ready(spec.run_dir, 20)
    wait_tcp(cloud.host, "172.24.4.12", 22)
    login = netns.execute(cloud.host, [
        "ssh", "-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "root@172.24.4.12", "hostname"],
        check=False)
    assert login.stdout.strip() == "vm-s", login.stderr


def test_overlapping_cidrs_are_kept_apart_by_conntrack_zones(cloud):
    other = names.kernel_name(cloud.prefix, "bridge", "net2")
    links.ensure_bridge(other, ns=cloud.host)
    pairs = []
    for bridge, tag in ((cloud.tenant, "x"), (other, "y")):
        pair = [names.kernel_name(cloud.prefix, "instance_ns", f"{tag}{i}") for i in (1, 2)]
        for index, ns in enumerate(pair):
            netns.create(ns)
            ip = f"10.0.0.{5 + index}"
            port = plug(cloud.prefix, cloud.host, bridge, f"{tag}{index}", ns, f"{ip}/24")
            cloud.ports.setdefault(bridge, []).append(nft.Port(port, bridge, (ip,), (
                nft.Rule("IPv4", remote_cidrs=("10.0.0.0/24",)),)))
        pairs.append(pair)
    ports = cloud.ports[cloud.tenant] + cloud.ports[other]
    nft.apply(nft.render_security_groups(cloud.sg_table, ports, {cloud.tenant: 7, other: 8}),
              cloud.host)
    for first, second in pairs:
        assert ping(first, "10.0.0.6") and ping(second, "10.0.0.5")
    tracked = netns.execute(cloud.host, ["conntrack", "-L", "-p", "icmp"], check=False).stdout
    zones = {line.split("zone=")[1].split()[0] for line in tracked.splitlines() if "zone=" in line}
    assert zones == {"7", "8"}


def test_timing_spawn_to_tcp_reachable_via_floating_ip(cloud):
    cloud.apply_groups(web_open=True)
    results = []
    for index in range(5):
        ip, fip = f"10.0.0.{20 + index}", f"172.24.4.{20 + index}"
        start = time.monotonic()
        cloud.boot(f"w{index}", ip)
        cloud.associate(fip, ip)
        cloud.apply_groups(web_open=True)
        wait_tcp(cloud.host, fip, 80, timeout=15)
        results.append(time.monotonic() - start)
    results.sort()
    print(f"\nTIMING spawn (netns+port+instance+fip+groups) to TCP via floating IP: "
          f"median {results[2] * 1000:.0f} ms, min {results[0] * 1000:.0f}, "
          f"max {results[-1] * 1000:.0f}")
    assert results[2] < 10
