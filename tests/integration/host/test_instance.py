import os
import time

import pytest

from pocketstack.host import cgroups, instance, netns

from .helpers import make_image, spec_for

pytestmark = pytest.mark.root

CLOUD_CONFIG = """#cloud-config
ssh_authorized_keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey cloud@config
write_files:
  - path: /etc/motd.d/hello
    content: hello from write_files
    permissions: '0600'
runcmd:
  - echo runcmd-ran > /root/runcmd.out
  - [sh, -c, "echo list-form-ran >> /root/runcmd.out"]
"""


def _boot(prefix, scratch, instance_id, **extra):
    layer = make_image(scratch)
    spec = spec_for(prefix, scratch, instance_id, [layer], **extra)
    netns.create(spec.netns)
    instance.spawn(spec)
    assert instance.wait_ready(spec.run_dir, 20), instance.console_log(spec.run_dir)
    return spec


def _inside(spec, *cmd):
    result = instance.execute(spec.run_dir, list(cmd))
    return result.stdout


def test_instance_is_isolated_and_stops_cleanly(prefix, scratch):
    spec = _boot(prefix, scratch, "a", authorized_keys=["ssh-ed25519 AAAAkey user@host"])
    other = _boot(prefix, scratch, "b")
    assert _inside(spec, "hostname").strip() == "vm-a"
    assert _inside(spec, "cat", "/etc/hostname").strip() == "vm-a"
    assert not os.path.exists(f"{spec.run_dir}/root/etc/hostname")  # mounts stay inside
    assert "No such file" in instance.execute(spec.run_dir, ["cat", "/etc/shadow"]).stderr
    assert "nameserver 127.0.0.1" in _inside(spec, "cat", "/etc/resolv.conf")
    assert "user@host" in _inside(spec, "cat", "/root/.ssh/authorized_keys")
    assert _inside(spec, "ls", "/etc/ssh").split().count("ssh_host_ed25519_key") == 1
    pids_a = {int(p) for p in _inside(spec, "ls", "/proc").split() if p.isdigit()}
    assert 1 in pids_a and instance.init_pid(spec.run_dir) not in pids_a
    comm_b = _inside(other, "ps", "-eo", "args")
    assert "sleep 777" not in comm_b
    instance.execute(spec.run_dir, ["sh", "-c", "sleep 777 >/dev/null 2>&1 &"])
    assert "sleep 777" in _inside(spec, "ps", "-eo", "args")
    assert "sleep 777" not in _inside(other, "ps", "-eo", "args")
    assert "/dev/ptmx" in _inside(spec, "ls", "/dev/ptmx")
    assert "ro," in _inside(spec, "grep", " /sys ", "/proc/mounts")
    assert _inside(spec, "ip", "-o", "link").count(": lo:") == 1

    start = time.monotonic()
    instance.stop(spec.run_dir, timeout=5, cgroup=spec.cgroup)
    print(f"\nTIMING stop (SIGTERM path) {(time.monotonic() - start) * 1000:.0f} ms")
    assert not instance.is_running(spec.run_dir)
    assert "pocketstack-init: stopped" in instance.console_log(spec.run_dir)
    assert not cgroups.exists(spec.cgroup)
    instance.stop(spec.run_dir, timeout=5, cgroup=spec.cgroup)  # already stopped: fine
    assert instance.list_running(os.path.dirname(spec.run_dir), prefix) == [
        os.path.basename(other.run_dir)]


def test_cloud_config_user_data(prefix, scratch):
    spec = _boot(prefix, scratch, "c", user_data=CLOUD_CONFIG)
    assert "cloud@config" in _inside(spec, "cat", "/root/.ssh/authorized_keys")
    assert _inside(spec, "cat", "/etc/motd.d/hello") == "hello from write_files"
    assert _inside(spec, "stat", "-c", "%a", "/etc/motd.d/hello").strip() == "600"
    deadline = time.monotonic() + 5
    while "list-form-ran" not in instance.execute(spec.run_dir, ["cat", "/root/runcmd.out"]
                                                  ).stdout and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _inside(spec, "cat", "/root/runcmd.out").split() == ["runcmd-ran", "list-form-ran"]


def test_memory_limit_kills_a_hog_inside_only(prefix, scratch):
    hog = "#!/bin/sh\npython3 -c 'x = bytearray(400 * 2**20)'\necho hog-exit=$?\n"
    spec = _boot(prefix, scratch, "m", user_data=hog, memory_mb=96, vcpus=1, pids_max=64)
    deadline = time.monotonic() + 20
    while "hog-exit=" not in instance.console_log(spec.run_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "hog-exit=137" in instance.console_log(spec.run_dir)
    assert cgroups.memory_events(spec.cgroup).get("oom_kill", 0) >= 1
    assert instance.is_running(spec.run_dir)  # PID 1 survived
    assert _inside(spec, "hostname").strip() == "vm-m"


def test_failed_boot_is_reported_and_leaves_nothing_running(prefix, scratch):
    spec = spec_for(prefix, scratch, "f", [f"{scratch}/no-such-layer"])
    netns.create(spec.netns)
    instance.spawn(spec)
    assert not instance.wait_ready(spec.run_dir, 10)
    assert "pocketstack-init: failed:" in instance.console_log(spec.run_dir)
    deadline = time.monotonic() + 5
    while instance.is_running(spec.run_dir) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not instance.is_running(spec.run_dir)
    assert cgroups.pids(spec.cgroup) == []
    instance.stop(spec.run_dir, timeout=1, cgroup=spec.cgroup)
    instance.stop(f"{scratch}/run/never-started", timeout=1)
