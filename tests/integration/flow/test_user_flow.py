"""The "real instances" user flow, end to end, with the stock ``openstack`` CLI and ``ssh``
against a real ``pocketstack up --driver namespace`` (in a test host namespace):

keypair → two servers on ``private`` with a security group opening tcp/22, tcp/80 and
icmp → floating IP → ssh prints the hostname → ping the other server's private IP →
files written and deleted → ``server image create`` → a server from the snapshot sees
exactly the snapshotted files → console log → deletes. Then a rootfs tarball uploaded
with the stock client (busybox, no ``pocketstack_lower_usr``) boots and runs user-data.
Every step's time is printed (``pytest -s``)."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from pocketstack.host import cgroups, netns

from .helpers import busybox_rootfs

pytestmark = pytest.mark.root

SERVER = ["--flavor", "m1.tiny", "--network", "private", "--key-name", "k",
          "--security-group", "web", "--wait"]


class Steps:
    """Times each step; ``report()`` prints them (also when a step failed)."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []

    @contextmanager
    def __call__(self, name: str):
        start = time.monotonic()
        try:
            yield
        finally:
            self.times.append((name, time.monotonic() - start))

    def report(self, title: str) -> None:
        print(f"\nTIMING {title}")
        for name, seconds in self.times:
            print(f"  {name:<44} {seconds * 1000:8.0f} ms")


def private_ip(cloud, name: str) -> str:
    return cloud.openstack_json("server", "show", name)["addresses"]["private"][0]


def test_real_instances_user_flow(real_cloud, prefix):
    cloud, steps = real_cloud, Steps()
    key = cloud.data_dir / "k.pem"
    try:
        _flow(cloud, steps, key, prefix)
    finally:
        steps.report("real instances user flow (stock openstack CLI, each call a process)")


def _flow(cloud, steps: Steps, key: Path, prefix: str) -> None:
    with steps("keypair create k > k.pem"):
        key.write_text(cloud.openstack("keypair", "create", "k"))
        key.chmod(0o600)
    assert "PRIVATE KEY" in key.read_text()
    with steps("security group web: tcp/22, tcp/80, icmp"):
        cloud.openstack("security", "group", "create", "web")
        for rule in (["--protocol", "tcp", "--dst-port", "22"],
                     ["--protocol", "tcp", "--dst-port", "80"], ["--protocol", "icmp"]):
            cloud.openstack("security", "group", "rule", "create", *rule, "web")
    for name in ("S1", "S2"):
        with steps(f"server create {name} --wait"):
            server = cloud.openstack_json("server", "create", "--image", "base", *SERVER, name)
        assert server["status"] == "ACTIVE", server
    with steps("floating ip create public"):
        address = cloud.openstack("floating", "ip", "create", "public", "-f", "value", "-c",
                                  "floating_ip_address").strip()
    with steps("server add floating ip S1"):
        cloud.openstack("server", "add", "floating", "ip", "S1", address)
    with steps("ssh S1 hostname (until it answers)"):
        hostname = cloud.wait_ssh(key, address)
    assert hostname == "s1"  # Nova's hostname: the display name, sanitized (lowercase)

    other = private_ip(cloud, "S2")
    with steps("ssh S1: ping -c1 -W2 S2's private IP"):
        result = cloud.ssh(key, address, f"ping -c1 -W2 {other}", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    with steps("ssh S1: write and delete files"):
        cloud.ssh(key, address, "echo kept > /root/kept.txt && echo gone > /root/gone.txt"
                                " && rm /root/gone.txt /etc/motd && sync")
    with steps("server image create --wait --name snap S1"):
        image = cloud.openstack_json("server", "image", "create", "--wait", "--name", "snap",
                                     "S1")
    assert image["status"] == "active", image
    with steps("server create S3 from snap --wait"):
        server = cloud.openstack_json("server", "create", "--image", "snap", *SERVER, "S3")
    assert server["status"] == "ACTIVE", server
    with steps("floating ip for S3 + ssh answers"):
        address3 = cloud.openstack("floating", "ip", "create", "public", "-f", "value", "-c",
                                   "floating_ip_address").strip()
        cloud.openstack("server", "add", "floating", "ip", "S3", address3)
        assert cloud.wait_ssh(key, address3) == "s3"
    with steps("ssh S3: snapshot's files"):
        seen = cloud.ssh(key, address3, "cat /root/kept.txt; ls /root /etc").stdout.split()
    assert seen[0] == "kept" and "gone.txt" not in seen and "motd" not in seen, seen
    assert "passwd" in seen  # the base image's files are still there under the snapshot
    with steps("console log show S1"):
        console = cloud.openstack("console", "log", "show", "S1")
    assert "pocketstack-init: ready" in console and "Accepted publickey" in console, console

    with steps("server delete --wait S1 S2 S3"):
        cloud.openstack("server", "delete", "--wait", "S1", "S2", "S3")
    assert cloud.openstack_json("server", "list") == []
    assert netns.list_names(prefix, "instance_ns") == []
    assert cgroups.list_names(prefix) == []


def test_rootfs_tarball_image_boots(real_cloud, prefix):
    """An image is any root filesystem tar: busybox and its libraries, no host ``/usr``."""
    cloud, steps = real_cloud, Steps()
    tarball = cloud.data_dir / "rootfs.tar.gz"
    busybox_rootfs(tarball)
    user_data = cloud.data_dir / "user-data.sh"
    user_data.write_text('#!/bin/sh\necho "hello from $(hostname), /usr: $(ls /usr | wc -l)"\n')
    try:
        with steps("image create --container-format docker --disk-format raw"):
            image = cloud.openstack_json(
                "image", "create", "--container-format", "docker", "--disk-format", "raw",
                "--file", str(tarball), "tiny")
        assert image["status"] == "active", image
        with steps("server create tiny --wait (user-data)"):
            server = cloud.openstack_json(
                "server", "create", "--image", "tiny", "--flavor", "m1.tiny", "--network",
                "private", "--user-data", str(user_data), "--wait", "T1")
        assert server["status"] == "ACTIVE", server
        with steps("console log shows the boot and user-data"):
            deadline = time.monotonic() + 10
            while "hello from" not in (console := cloud.openstack("console", "log", "show",
                                                                  "T1")):
                assert time.monotonic() < deadline, console
                time.sleep(0.1)
        assert "pocketstack-init: ready" in console
        assert "hello from t1, /usr: 0" in console, console  # the host's /usr is not there
        with steps("server delete --wait T1"):
            cloud.openstack("server", "delete", "--wait", "T1")
        assert netns.list_names(prefix, "instance_ns") == []

        # a disk image is not a root filesystem archive: ERROR with a readable fault
        disk = cloud.data_dir / "disk.qcow2"
        disk.write_bytes(b"QFI\xfb" + os.urandom(4096))
        with steps("disk image: server create -> ERROR"):
            cloud.openstack("image", "create", "--container-format", "bare", "--disk-format",
                            "qcow2", "--file", str(disk), "disk")
            cloud.openstack("server", "create", "--image", "disk", "--flavor", "m1.tiny",
                            "--network", "private", "D1")
            deadline = time.monotonic() + 30
            while (server := cloud.openstack_json("server", "show", "D1"))["status"] != "ERROR":
                assert time.monotonic() < deadline, server
                time.sleep(0.2)
        assert "not a root filesystem archive" in server["fault"]["message"], server["fault"]
        cloud.openstack("server", "delete", "--wait", "D1")
    finally:
        steps.report("rootfs tarball image")
        os.unlink(tarball)
