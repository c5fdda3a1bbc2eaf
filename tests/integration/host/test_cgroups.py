import subprocess

import pytest

from pocketstack.host import cgroups, names

pytestmark = pytest.mark.root


def test_create_limits_add_kill_remove(prefix):
    name = names.kernel_name(prefix, "cgroup", "vm1")
    cgroups.create(name, memory_mb=64, vcpus=0.5, pids_max=50)
    cgroups.create(name, memory_mb=64, vcpus=0.5, pids_max=50)
    assert cgroups.list_names(prefix) == [name]
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        cgroups.add_pid(name, sleeper.pid)
        assert cgroups.pids(name) == [sleeper.pid]
        if cgroups.version() == 1:
            with open(f"/sys/fs/cgroup/cpu/{name}/cpu.cfs_quota_us") as handle:
                quota = handle.read().strip()
            with open(f"/sys/fs/cgroup/memory/{name}/memory.limit_in_bytes") as handle:
                memory = handle.read()
            assert quota == "50000" and int(memory) == 64 * 2**20
        cgroups.remove(name)
        assert sleeper.wait(5) == -9
    finally:
        sleeper.kill()
    assert not cgroups.exists(name) and cgroups.list_names(prefix) == []
    cgroups.remove(name)
