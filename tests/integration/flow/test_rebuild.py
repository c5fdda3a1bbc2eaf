"""Rebuild on real instances, with the stock ``openstack`` CLI and ``ssh``: the server keeps
its id and addresses (its floating IP still reaches it) and gets a fresh disk from the image.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pocketstack.host import names
from tests.harness.cloud_process import started

from .helpers import RealCloud

pytestmark = pytest.mark.root

API_PORT = 18916  # Tempest helper's range, apart from the other flow tests' port


@pytest.fixture
def rebuild_cloud(prefix):
    with started(RealCloud(prefix, names.kernel_name(prefix, "host_ns", "rbhost"),
                           Path(f"/tmp/boot-{prefix}"), API_PORT)) as cloud:
        yield cloud


def test_rebuild_gives_a_fresh_disk_and_keeps_addresses(rebuild_cloud):
    cloud = rebuild_cloud
    key = cloud.data_dir / "k.pem"
    key.write_text(cloud.openstack("keypair", "create", "k"))
    key.chmod(0o600)
    cloud.openstack("security", "group", "create", "ssh")
    cloud.openstack("security", "group", "rule", "create", "--protocol", "tcp",
                    "--dst-port", "22", "ssh")
    server = cloud.openstack_json("server", "create", "--image", "base", "--flavor", "m1.tiny",
                                  "--network", "private", "--key-name", "k",
                                  "--security-group", "ssh", "--wait", "R1")
    assert server["status"] == "ACTIVE", server
    address = cloud.openstack("floating", "ip", "create", "public", "-f", "value", "-c",
                              "floating_ip_address").strip()
    cloud.openstack("server", "add", "floating", "ip", "R1", address)
    assert cloud.wait_ssh(key, address) == "r1"
    cloud.ssh(key, address, "echo old > /root/old.txt && sync")
    before = cloud.openstack_json("server", "show", "R1")["addresses"]

    cloud.openstack("server", "rebuild", "--image", "base", "--name", "R2", "--wait", "R1")
    rebuilt = cloud.openstack_json("server", "show", "R2")
    assert rebuilt["status"] == "ACTIVE" and rebuilt["addresses"] == before, rebuilt
    assert cloud.wait_ssh(key, address) == "r2"
    assert cloud.ssh(key, address, "ls /root").stdout.split() == []

    cloud.openstack("server", "delete", "--wait", "R2")
