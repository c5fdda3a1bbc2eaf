"""Nothing leaves the machine: a whole cloud run in a test host namespace (two servers, a
floating IP, then purge) leaves pytest's (root) namespace's routes, nftables ruleset,
iptables and ip_forward exactly as they were, and no table the cloud made masquerades.

Other deployments (other helpers' clouds) may change the root namespace meanwhile: lines
naming another deployment's objects (``<prefix><kind><8 chars>``) are ignored; nothing
else is."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from pocketstack.host import netns, nft
from pocketstack.wiring import purge_host_objects
from tests.integration.cloud import stop

from .conftest import N, api, boot, floating_ip, ok, wait_active

pytestmark = pytest.mark.root

FOREIGN = re.compile(r"\b[a-z][a-z0-9]{0,5}[bftirnlhcvx][0-9a-z]{8}\b")
COUNTERS = re.compile(r"\[\d+:\d+\]|^# .*$", re.MULTILINE)


def root_state() -> dict:
    def run(*cmd: str) -> str:
        if shutil.which(cmd[0]) is None:  # e.g. no iptables on this host: nothing to keep
            return f"{cmd[0]}: not installed"
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout

    state = {"route": run("ip", "route"), "route6": run("ip", "-6", "route"),
             "nft": run("nft", "list", "ruleset"), "iptables": run("iptables-save"),
             "ip_forward": run("sysctl", "-n", "net.ipv4.ip_forward")}
    state["iptables"] = COUNTERS.sub("", state["iptables"])
    return state


def without_foreign(text: str, prefix: str) -> list[str]:
    """Lines, minus those naming another deployment's objects (whole nft tables)."""
    kept, skipping = [], False
    for line in text.splitlines():
        if line.startswith("table "):
            name = line.split()[2]
            skipping = bool(FOREIGN.fullmatch(name)) and not name.startswith(prefix)
        if not skipping and not any(not m.startswith(prefix)
                                    for m in FOREIGN.findall(line)):
            kept.append(line)
        if line == "}":
            skipping = False
    return kept


@pytest.fixture
def before(prefix):
    return root_state()


def test_a_cloud_run_leaves_the_root_namespace_as_it_was(before, cloud, prefix):
    deployment, host = cloud
    demo = api(deployment, "demo", "demo")
    private = ok(demo.get(f"{N}/networks?name=private"))["networks"][0]["id"]
    servers = [boot(demo, name, private) for name in ("one", "two")]
    for server in servers:
        wait_active(demo, server)
    floating_ip(demo, servers[0])

    rulesets = [netns.execute(ns, ["nft", "list", "ruleset"]).stdout
                for ns in [host, *netns.list_names(prefix, "router_ns")]]
    assert len(rulesets) >= 2 and all(nft.list_tables(prefix, host))
    assert not [r for r in rulesets if "masquerade" in r]
    assert netns.get_sysctl(host, "net.ipv4.ip_forward") == "0"

    stop(deployment)
    netns.call(host, purge_host_objects, prefix)
    after = root_state()
    assert after["ip_forward"] == before["ip_forward"]
    for key in ("route", "route6", "nft", "iptables"):
        assert without_foreign(after[key], prefix) == without_foreign(before[key], prefix), key
    assert prefix not in "".join(after.values())
