"""Kill -9 of the process that made instances: they keep running, a restarted driver finds
them (and any orphan namespace or cgroup of the prefix), and mark and sweep removes them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from pocketstack.drivers.compute.base import PowerState
from pocketstack.drivers.compute.namespace import NamespaceComputeDriver
from pocketstack.host import cgroups, names, netns

from .conftest import make_settings
from .helpers import inside, leftovers

pytestmark = pytest.mark.root

SPAWN_THEN_HANG = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from pocketstack.config import Settings
    from pocketstack.drivers.compute.base import InstanceSpec
    from pocketstack.drivers.compute.namespace import NamespaceComputeDriver
    data_dir, prefix, server_id, layer = sys.argv[1:5]
    driver = NamespaceComputeDriver(Settings(data_dir=Path(data_dir), prefix=prefix))
    driver.spawn(InstanceSpec(id=server_id, name="s", hostname="survivor", image_id="i",
                              vcpus=1, memory_mb=128, disk_gb=0, image_layers=(layer,),
                              host_usr=True))
    print("spawned", flush=True)
    time.sleep(600)
""")


def test_instances_survive_kill_9_and_sweep_removes_orphans(prefix, data_dir, base_image):
    server_id = str(uuid.uuid4())
    process = subprocess.Popen([sys.executable, "-c", SPAWN_THEN_HANG, str(data_dir), prefix,
                                server_id, base_image], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "spawned"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    netns.create(names.kernel_name(prefix, "instance_ns", "orphan01"))
    cgroups.create(names.kernel_name(prefix, "cgroup", "orphan02"), memory_mb=16)

    restarted = NamespaceComputeDriver(make_settings(prefix, data_dir))
    assert restarted.power_state(server_id) == PowerState.RUNNING
    assert inside(restarted, server_id, "hostname").stdout.strip() == "survivor"
    assert restarted.list_instances() == {server_id, "orphan01", "orphan02"}

    start = time.monotonic()
    for instance_id in restarted.list_instances() - set():  # no server row names any
        restarted.destroy(instance_id)
    print(f"\nTIMING sweep of 3 orphans {(time.monotonic() - start) * 1000:.0f} ms")
    assert not leftovers(restarted, prefix)


def test_sweep_finds_a_launcher_whose_directory_is_gone(prefix, data_dir, base_image, driver):
    from .helpers import spec

    server = spec(str(uuid.uuid4()), [base_image])
    driver.spawn(server)
    for pid in cgroups.pids(driver._cgroup(server.id)):  # only the process and netns stay
        with contextlib.suppress(ProcessLookupError):
            cgroups.add_pid("", pid)  # "" = the hierarchy's root cgroup
    cgroups.remove(driver._cgroup(server.id))
    os.rename(driver._dir(server.id), str(data_dir / "moved"))
    assert driver.list_instances() == {server.id}
    driver.destroy(server.id)
    assert not leftovers(driver, prefix)
