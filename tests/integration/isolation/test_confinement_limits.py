"""Root inside an instance of a small flavor (64 MB RAM, 1 GB disk), probing from its
user-data (a child of the instance's init, with the capabilities everything in the
instance has): it cannot signal a host process, load a module, change routes or nftables
or mount anything; a memory hog is OOM-killed inside, a fork bomb stops at pids.max, and
writing past the flavor's disk fails with ENOSPC. The host, the agent and the API stay up
throughout, the disk is a snapshot's source like any other, and deleting the server
leaves no loop device behind."""

from __future__ import annotations

import base64
import io
import os
import tarfile
import time

import pytest

from pocketstack.host import cgroups, disks

from .conftest import C, N, api, inside, ok, wait_active

pytestmark = pytest.mark.root

PIDS_MAX = 64
PROBE = """#!/bin/sh
out=/root/probe.txt
p() { printf '%s=%s\\n' "$1" "$(sh -c "$2" 2>&1 | tr '\\n' ' ')" >> $out; }
p caps "grep CapEff /proc/self/status"
p kill_host "kill -0 @HOSTPID@ && echo SIGNALLED; ls -d /proc/@HOSTPID@"
p module "python3 -c 'import ctypes; l = ctypes.CDLL(None, use_errno=True); r = l.syscall(175, None, 0, b\\"\\"); print(\\"LOADED\\" if r == 0 else ctypes.get_errno())'"
p modprobe "modprobe dummy && echo LOADED"
p route_add "ip route add 10.99.0.0/24 dev eth0 && echo ADDED"
p nft_add "nft add table inet probe && echo ADDED"
p mount_bind "mount --bind / /mnt && echo MOUNTED"
p mount_proc "mount -t proc proc /mnt && echo MOUNTED"
echo marker > /root/marker
p disk_size "df -k / | tail -1"
p fill "fallocate -l 900M /root/big && dd if=/dev/zero of=/root/more bs=1M count=400 2>&1 | head -1"
rm -f /root/big /root/more
p oom "python3 -c 'b = b\\"x\\" * (256 << 20); print(\\"ALLOCATED\\")'; echo rc=\\$?"
p forks "sh -c 'i=0; while [ \\$i -lt 300 ]; do sleep 120 </dev/null >/dev/null 2>&1 & i=\\$((i+1)); echo \\$i > /tmp/forked; done'; cat /tmp/forked"
echo done >> $out
"""


def small_flavor(admin) -> str:
    body = {"flavor": {"name": "is-small", "ram": 64, "vcpus": 1, "disk": 1}}
    return ok(admin.post(f"{C}/flavors", json=body))["flavor"]["id"]


def boot(client, network_id: str, flavor: str, user_data: str) -> str:
    image = ok(client.get("/image/v2/images?name=base"))["images"][0]["id"]
    server = {"name": "probe", "imageRef": image, "flavorRef": flavor,
              "networks": [{"uuid": network_id}],
              "user_data": base64.b64encode(user_data.encode()).decode()}
    return ok(client.post(f"{C}/servers", json={"server": server}))["server"]["id"]


def probe_results(deployment, server: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while "done" not in (text := inside(deployment, server, "cat /root/probe.txt").stdout):
        assert time.monotonic() < deadline, text
        time.sleep(0.3)
    found = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    print("\nFINDING " + "\nFINDING ".join(f"{k}: {v.strip()}" for k, v in found.items()))
    return found


def snapshot_names(driver, server: str) -> set[str]:
    data = b"".join(driver.snapshot(server))
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return set(archive.getnames())


def test_an_instance_stays_within_its_flavor_and_its_rights(cloud, prefix):
    deployment, _host = cloud
    driver = deployment.cloud.compute_driver
    driver.pids_max = PIDS_MAX  # small, so the fork bomb is cheap on a shared machine
    admin, demo = api(deployment, "admin", "admin"), api(deployment, "demo", "demo")
    flavor = small_flavor(admin)
    private = ok(demo.get(f"{N}/networks?name=private"))["networks"][0]["id"]
    server = boot(demo, private, flavor, PROBE.replace("@HOSTPID@", str(os.getpid())))
    wait_active(demo, server)
    assert disks.fragments(prefix), "the instance has no disk of its own"
    found = probe_results(deployment, server)

    assert int(found["caps"].split()[-1], 16) & (1 << 21 | 1 << 12 | 1 << 16) == 0
    assert "SIGNALLED" not in found["kill_host"] and "No such file" in found["kill_host"]
    assert "LOADED" not in found["module"] + found["modprobe"]
    assert "ADDED" not in found["route_add"] + found["nft_add"]
    assert "MOUNTED" not in found["mount_bind"] + found["mount_proc"]
    size_kb = int(found["disk_size"].split()[1])
    assert 0.8 * 2**20 < size_kb <= 2**20, found["disk_size"]
    assert "No space left on device" in found["fill"]
    assert "ALLOCATED" not in found["oom"] and "rc=137" in found["oom"]
    forked = int(found["forks"].split()[-1])
    assert PIDS_MAX - 20 <= forked < PIDS_MAX, forked
    assert len(cgroups.pids(driver._cgroup(server))) <= PIDS_MAX

    # the host, the agent and the API are fine; the instance and its disk too
    assert ok(demo.get(f"{C}/servers/{server}"))["server"]["status"] == "ACTIVE"
    assert "./root/marker" in snapshot_names(driver, server)
    ok(demo.delete(f"{C}/servers/{server}"))
    deadline = time.monotonic() + 30
    while demo.get(f"{C}/servers/{server}").status_code != 404:
        assert time.monotonic() < deadline, "server not deleted"
        time.sleep(0.1)
    assert not disks.fragments(prefix), "a loop device outlived its instance"
    assert not os.path.exists(driver._dir(server))
