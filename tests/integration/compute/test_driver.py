"""The namespace compute driver on a real kernel: spawn, limits, power, snapshot, cleanup."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from pocketstack.drivers.compute.base import PowerState
from pocketstack.errors import DriverError
from pocketstack.host import cgroups, instance, links, names

from .conftest import make_settings
from .helpers import inside, leftovers, nic, spec

pytestmark = pytest.mark.root

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyFromTheKeypair demo@laptop"
HOST_FILE = "/usr/share/common-licenses/Apache-2.0"


def new_id() -> str:
    return str(uuid.uuid4())


def test_spawn_gives_an_isolated_instance_without_host_secrets(driver, base_image, prefix):
    server = spec(new_id(), [base_image], public_keys={"k": KEY},
                  user_data=b"#!/bin/sh\necho from-user-data > /root/ud.out\n")
    driver.spawn(server)
    launcher = instance.launcher_pid(driver._dir(server.id))
    driver.spawn(server)  # already running: no change
    assert instance.launcher_pid(driver._dir(server.id)) == launcher
    assert driver.power_state(server.id) == PowerState.RUNNING
    assert server.id in driver.list_instances()

    assert inside(driver, server.id, "hostname").stdout.strip() == server.hostname
    shadow = inside(driver, server.id, "cat /etc/shadow").stdout
    assert shadow.startswith("root:*:") and "$" not in shadow
    assert KEY in inside(driver, server.id, "cat /root/.ssh/authorized_keys").stdout
    for kind in ("ed25519", "ecdsa"):
        mine = inside(driver, server.id, f"cat /etc/ssh/ssh_host_{kind}_key.pub").stdout
        assert mine.split()[0] in ("ssh-ed25519", "ecdsa-sha2-nistp256")
        if os.path.exists(f"/etc/ssh/ssh_host_{kind}_key.pub"):
            with open(f"/etc/ssh/ssh_host_{kind}_key.pub") as handle:
                assert handle.read().split()[1] not in mine
    assert inside(driver, server.id, "ls /etc/ssh/ssh_host_rsa_key").returncode != 0
    assert inside(driver, server.id, f"ls {driver.instances_dir}").returncode != 0
    deadline = time.monotonic() + 5
    while inside(driver, server.id, "cat /root/ud.out").stdout.strip() != "from-user-data":
        assert time.monotonic() < deadline, driver.console_log(server.id)
        time.sleep(0.05)
    assert "pocketstack-init: ready" in driver.console_log(server.id)
    assert len(driver.console_log(server.id, 1).splitlines()) == 1


def test_memory_limit_kills_a_hog_inside_only(driver, base_image):
    server = spec(new_id(), [base_image], memory_mb=64)
    driver.spawn(server)
    hog = inside(driver, server.id, "python3 -c 'b = bytearray(300 * 2**20); print(len(b))'")
    assert hog.returncode != 0 and "314572800" not in hog.stdout
    assert cgroups.memory_events(driver._cgroup(server.id)).get("oom_kill", 0) >= 1
    assert driver.power_state(server.id) == PowerState.RUNNING
    assert inside(driver, server.id, "echo still-here").stdout.strip() == "still-here"


def test_pids_limit_contains_a_fork_bomb(prefix, data_dir, base_image):
    from pocketstack.drivers.compute.namespace import NamespaceComputeDriver

    driver = NamespaceComputeDriver(make_settings(prefix, data_dir, pids_max=40))
    server = spec(new_id(), [base_image])
    driver.spawn(server)
    # Bounded: 200 forks at most, each child sleeps; the cgroup must stop it at 40.
    bomb = inside(driver, server.id,
                  "i=0; while [ $i -lt 200 ]; do sleep 30 </dev/null >/dev/null 2>&1 & "
                  "i=$((i+1)); done; echo forked", timeout=60)
    assert "forked" in bomb.stdout or "fork" in bomb.stderr
    assert 30 <= len(cgroups.pids(driver._cgroup(server.id))) <= 40
    driver.destroy(server.id)
    assert not leftovers(driver, prefix)


def test_stop_and_start_keep_the_disk(driver, base_image):
    server = spec(new_id(), [base_image])
    driver.spawn(server)
    inside(driver, server.id, "echo kept > /root/kept.txt")
    driver.power_off(server.id)
    driver.power_off(server.id)  # already stopped: fine
    assert driver.power_state(server.id) == PowerState.SHUTDOWN
    assert not cgroups.exists(driver._cgroup(server.id))
    driver.power_on(server.id, server)
    assert driver.power_state(server.id) == PowerState.RUNNING
    assert inside(driver, server.id, "cat /root/kept.txt").stdout == "kept\n"
    before = instance.init_pid(driver._dir(server.id))
    driver.reboot(server.id, server, hard=True)
    assert instance.init_pid(driver._dir(server.id)) != before
    assert inside(driver, server.id, "cat /root/kept.txt").stdout == "kept\n"
    assert driver.console_log(server.id).count("pocketstack-init: ready") == 3


def _snapshot_to(driver, server_id: str, images_dir: str) -> str:
    path = os.path.join(images_dir, new_id())
    with open(path, "wb") as handle:
        handle.writelines(driver.snapshot(server_id))
    return path


def test_snapshot_layers_stack(driver, base_image, prefix):
    images = os.path.dirname(base_image)
    first = spec(new_id(), [base_image])
    driver.spawn(first)
    script = ("echo new > /root/new.txt && rm /etc/motd && mkdir -p /srv/data && "
              "echo old > /srv/data/old && echo gone > /root/gone.txt && "
              f"rm {HOST_FILE} && echo mine > /usr/local/mine.txt")
    assert inside(driver, first.id, script).returncode == 0
    assert os.path.exists(HOST_FILE)  # deleted inside only
    inside(driver, first.id, "sleep 300 </dev/null >/dev/null 2>&1 &")
    snap = _snapshot_to(driver, first.id, images)
    states = inside(driver, first.id, "ps -eo stat=").stdout.split()
    assert states and not [state for state in states if state.startswith("T")]  # resumed
    assert not [n for n in os.listdir(driver._dir(first.id)) if n.startswith("snapshot-")]

    second = spec(new_id(), [snap, base_image])
    driver.spawn(second)
    seen = inside(driver, second.id, "cat /root/new.txt /srv/data/old /usr/local/mine.txt; "
                  f"ls /etc/motd {HOST_FILE}")
    assert seen.stdout.split()[:3] == ["new", "old", "mine"]
    assert "/etc/motd" in seen.stderr and HOST_FILE in seen.stderr
    # A directory removed and made again is opaque: nothing of the layers below shows.
    assert inside(driver, second.id, "rm -rf /srv/data /root/gone.txt && mkdir /srv/data && "
                  "echo fresh > /srv/data/fresh").returncode == 0
    third = spec(new_id(), [_snapshot_to(driver, second.id, images), snap, base_image])
    driver.spawn(third)
    assert inside(driver, third.id, "ls /srv/data").stdout.split() == ["fresh"]
    assert inside(driver, third.id, "ls /root/gone.txt").returncode != 0
    assert inside(driver, third.id, "cat /root/new.txt").stdout == "new\n"
    for server in (first, second, third):
        driver.destroy(server.id)
    assert not leftovers(driver, prefix)


def test_nics_and_destroy_leaves_nothing(driver, base_image, prefix):
    network_id, port_id = new_id(), new_id()
    server = spec(new_id(), [base_image], nics=(nic(port_id, network_id, "10.9.0.5"),))
    with pytest.raises(DriverError) as error:  # no bridge yet: retry later, nothing left
        driver.spawn(server)
    assert not error.value.permanent and not leftovers(driver, prefix, [port_id])

    bridge = names.kernel_name(prefix, "bridge", network_id)
    links.ensure_bridge(bridge)
    try:
        driver.spawn(server)
        host_end = names.kernel_name(prefix, "port", port_id)
        assert links.link_info(host_end)["master"] == bridge
        eth0 = inside(driver, server.id, "ip -o addr show eth0; ip route").stdout
        assert "10.9.0.5/24" in eth0 and "default via 10.9.0.1 dev eth0" in eth0
        assert "fa:16:3e:00:00:05" in inside(driver, server.id, "ip -o link show eth0").stdout
        driver.destroy(server.id)
        driver.destroy(server.id)  # already gone: fine
        assert driver.power_state(server.id) == PowerState.NOSTATE
        assert not leftovers(driver, prefix, [port_id])
    finally:
        links.delete_link(bridge)


def test_a_failed_spawn_leaves_nothing(driver, data_dir, prefix):
    not_a_tar = data_dir / "images" / new_id()
    not_a_tar.parent.mkdir(exist_ok=True)
    not_a_tar.write_bytes(b"QFI\xfb not a root filesystem")
    with pytest.raises(DriverError) as error:
        driver.spawn(spec(new_id(), [str(not_a_tar)]))
    assert error.value.permanent and not leftovers(driver, prefix)
    assert os.listdir(driver.layers.directory) == []
