import pytest

from pocketstack.host import names, netns, nft
from pocketstack.host.proc import HostError

pytestmark = pytest.mark.root


def _ruleset(ns, family, table):
    return netns.execute(ns, ["nft", "list", "table", family, table]).stdout


def test_router_ruleset_applies_atomically_and_idempotently(prefix):
    router = names.kernel_name(prefix, "router_ns", "r")
    netns.create(router)
    table = names.kernel_name(prefix, "table", "r")
    legs = [nft.RouterLeg("qr0", "10.0.0.1", "10.0.0.0/24")]
    script = nft.render_router(table, "qg0", "172.24.4.5", legs, {"172.24.4.10": "10.0.0.5"})
    nft.apply(script, router)
    nft.apply(script, router)
    text = _ruleset(router, "ip", table)
    assert text.count("172.24.4.10 : 10.0.0.5") == 1
    assert "snat to 172.24.4.5" in text and "snat to 10.0.0.1" in text
    with pytest.raises(HostError):
        nft.apply(script.replace("snat to 172.24.4.5", "snat to nowhere"), router)
    assert _ruleset(router, "ip", table) == text  # a failed apply changes nothing


def test_floating_ip_elements_add_and_remove(prefix):
    router = names.kernel_name(prefix, "router_ns", "r")
    netns.create(router)
    table = names.kernel_name(prefix, "table", "r")
    nft.apply(nft.render_router(table, "qg0", "172.24.4.5", [], {}), router)
    nft.add_floating_ip(table, "172.24.4.11", "10.0.0.6", router)
    nft.add_floating_ip(table, "172.24.4.11", "10.0.0.6", router)
    assert "172.24.4.11 : 10.0.0.6" in _ruleset(router, "ip", table)
    nft.remove_floating_ip(table, "172.24.4.11", "10.0.0.6", router)
    nft.remove_floating_ip(table, "172.24.4.11", "10.0.0.6", router)
    assert "172.24.4.11" not in _ruleset(router, "ip", table)


def test_security_group_tables_and_sweep_by_prefix(prefix):
    host = names.kernel_name(prefix, "host_ns", "h")
    netns.create(host)
    table = names.kernel_name(prefix, "table", "sg")
    port = nft.Port("p1", "br1", ("10.0.0.5",), (nft.Rule("IPv4", "tcp", 80, 80),))
    nft.apply(nft.render_security_groups(table, [port], {"br1": 7}), host)
    inet = _ruleset(host, "inet", table)
    assert "tcp dport 80 accept" in inet or "th dport 80 accept" in inet
    assert '"br1" : 7' in inet and '"p1" : 0x00000001' in _ruleset(host, "bridge", table)
    assert nft.list_tables(prefix, host) == [("bridge", table), ("inet", table)]
    assert nft.delete_tables(prefix, host) == [("bridge", table), ("inet", table)]
    assert nft.list_tables(prefix, host) == []
    nft.delete_table("inet", table, host)
