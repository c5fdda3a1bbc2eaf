"""Fixtures for the namespace driver's root tests: a data dir per test, a driver on it,
the default image's data, and a whole cloud wired with ``driver="namespace"``.

Teardown kills every launcher under the test's data dir before the shared ``prefix``
fixture sweeps cgroups, namespaces and links of the prefix, then removes the data dir
(``/tmp/nsd-<prefix>``), unmounting anything left under it first.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pocketstack.config import Settings
from pocketstack.drivers.compute import inventory
from pocketstack.drivers.compute.namespace import NamespaceComputeDriver, purge
from pocketstack.drivers.network.linux import purge as purge_network
from pocketstack.host import mounts, names, netns
from pocketstack.services.image.rootfs import build_rootfs
from pocketstack.wiring import assemble

BASE_ID = "0b1e5e00-0000-4000-8000-000000000001"


@pytest.fixture
def data_dir(prefix) -> Path:
    path = Path(f"/tmp/nsd-{prefix}")
    path.mkdir(mode=0o700)
    try:
        yield path
    finally:
        _clean(prefix, path)


def _clean(prefix: str, path: Path) -> None:
    instances = str(path / "instances")
    for pid in inventory.launcher_pids(instances):
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    purge(prefix)
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4] for line in handle]
    for point in sorted((p for p in points if p.startswith(str(path) + "/")), reverse=True):
        mounts.unmount(point)
    shutil.rmtree(path, ignore_errors=True)


def make_settings(prefix: str, data_dir: Path, **extra) -> Settings:
    return Settings(data_dir=data_dir, port=18811, prefix=prefix, driver="namespace",
                    extra=extra)


@pytest.fixture
def driver(prefix, data_dir) -> NamespaceComputeDriver:
    return NamespaceComputeDriver(make_settings(prefix, data_dir))


@pytest.fixture
def base_image(data_dir) -> str:
    """The default image's data file (what the image service stores for ``base``)."""
    images = data_dir / "images"
    images.mkdir(exist_ok=True)
    path = images / BASE_ID
    path.write_bytes(build_rootfs())
    return str(path)


@pytest.fixture
def host_ns(prefix):
    """A test "host" network namespace: the network driver's bridges, 172.24.4.1 and host
    tables go there, never into the namespace pytest runs in."""
    host = names.kernel_name(prefix, "host_ns", "host")
    netns.create(host)
    yield host
    if netns.exists(host):
        netns.call(host, purge_network, prefix)
    netns.delete(host)


@pytest.fixture
def deployment(prefix, data_dir, host_ns):
    """A whole cloud in this process on the namespace driver (overrides the fake one),
    assembled (agent thread included) inside ``host_ns``."""
    deployment = netns.call(host_ns, assemble, make_settings(prefix, data_dir))
    yield deployment
    deployment.agent.stop()
    deployment.agent.reconcilers[0].driver.close()
    deployment.cloud.db.dispose()
