"""The linux network driver changes one port's chains and elements per plug, change and
unplug (``linux_rules.port_delta``): whatever sequence of deltas it applied, the kernel
holds exactly what a whole render of the same ports gives."""

import json
from dataclasses import replace

import pytest

from pocketstack.host import names, netns

from .helpers import PUBLIC, make_driver, port, private, tcp_rule

pytestmark = pytest.mark.root


@pytest.fixture
def host(prefix):
    ns = names.kernel_name(prefix, "host_ns", "host")
    netns.create(ns)
    yield ns
    netns.delete(ns)


def tables(prefix: str, ns: str) -> dict:
    """Our host tables as {(family, table, kind, name): content}: each chain's rules in
    order, each set or map's elements sorted (listing order follows creation order)."""
    listing = json.loads(netns.execute(ns, ["nft", "-j", "list", "ruleset"]).stdout)
    found: dict = {}
    for item in listing["nftables"]:
        kind, body = next(iter(item.items()))
        if kind not in ("chain", "rule", "set", "map") or not body["table"].startswith(prefix):
            continue
        if kind == "rule":
            key = (body["family"], body["table"], "chain", body["chain"])
            found.setdefault(key, []).append(json.dumps(body["expr"], sort_keys=True))
        elif kind == "chain":
            found.setdefault((body["family"], body["table"], "chain", body["name"]), [])
            found[(body["family"], body["table"], "hook", body["name"])] = body.get("hook")
        else:
            found[(body["family"], body["table"], kind, body["name"])] = sorted(
                json.dumps(element, sort_keys=True) for element in body.get("elem", []))
    return found


def test_deltas_leave_what_a_whole_render_gives(prefix, scratch, host):
    driver = make_driver(prefix, scratch, host)
    try:
        driver.ensure_network(PUBLIC)
        driver.ensure_network(private())
        specs = [port(f"port{i}", f"10.0.0.{10 + i}", members=("10.0.0.10",))
                 for i in range(4)]
        for spec in specs[:3]:
            driver.plug_port(spec)  # the first renders whole, the others are deltas
        driver.plug_port(port("port1", "10.0.0.11", extra=(tcp_rule(8080),)))  # changed
        driver.unplug_port("port0")
        driver.plug_port(specs[3])  # takes the index port0 left
        driver.plug_port(replace(port("port5", "10.0.0.15"), security_enabled=False))
        by_deltas = tables(prefix, host)
        assert driver._sg_index is not None  # the deltas were applied, not whole renders

        driver._apply_host()
        assert tables(prefix, host) == by_deltas
        assert sum(key[2] == "chain" and key[3].startswith("e") for key in by_deltas) == 3
    finally:
        driver.close()


def test_a_refused_delta_falls_back_to_a_whole_render(prefix, scratch, host):
    driver = make_driver(prefix, scratch, host)
    try:
        driver.ensure_network(private())
        driver.plug_port(port("porta", "10.0.0.5"))
        table = names.kernel_name(prefix, "table", "secgroups")
        netns.execute(host, ["nft", "delete", "table", "inet", table])  # behind its back
        driver.plug_port(port("portb", "10.0.0.6"))
        after = tables(prefix, host)
        driver._apply_host()
        assert tables(prefix, host) == after
        assert any(key[1] == table and key[0] == "inet" for key in after)
    finally:
        driver.close()
