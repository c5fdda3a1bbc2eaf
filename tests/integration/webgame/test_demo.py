"""`pocketstack demo webgame --check` against a real `pocketstack up --driver namespace` in a
test host namespace, with the cloud's OS_* variables: exit 0 and a JSON report in which
the group grew under load, came back to its minimum, no request failed and the replica
caught up; and nothing of the workload is left in the project afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pocketstack.host import names
from tests.harness.cloud_process import VENV_BIN, started
from tests.integration.flow.helpers import RealCloud

pytestmark = pytest.mark.root

DEMO_PORT = 18891


@pytest.fixture
def demo_cloud(prefix, webgame_tools):
    with started(RealCloud(prefix, names.kernel_name(prefix, "host_ns", "wgdemo"),
                           Path(f"/tmp/webgame-demo-{prefix}"), DEMO_PORT), 60) as cloud:
        yield cloud


@pytest.mark.timeout(900)
def test_demo_webgame_check(demo_cloud):
    result = demo_cloud.run([str(VENV_BIN / "pocketstack"), "demo", "webgame", "--check",
                             "--load-seconds", "40"], timeout=840, check=False)
    print(result.stdout, result.stderr)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.returncode == 0, report
    assert report["replication_ok"] is True
    assert report["max_php_servers"] >= 2
    assert report["min_php_servers_after"] == 1
    assert report["requests"] > 0 and report["failed_requests"] == 0
    assert 0 < report["scale_out_seconds"] < 40
    for kind in (["server", "list"], ["network", "list"], ["security", "group", "list"],
                 ["floating", "ip", "list"], ["keypair", "list"]):
        listed = demo_cloud.openstack_json(*kind)
        assert not [item for item in listed if "webgame" in json.dumps(item)], (kind, listed)
