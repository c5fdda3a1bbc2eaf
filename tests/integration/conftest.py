"""Fixtures for root integration tests: a unique name prefix per test, swept afterwards.

Every kernel object a test makes carries ``prefix`` (``t`` + 4 random lowercase chars), so
teardown can find and remove all of it, even after a failure: instances (by their run
dirs), cgroups, network namespaces, links and nftables tables left in this namespace, and
the test's scratch dir ``/tmp/host-<prefix>``.
"""

from __future__ import annotations

import os
import random
import shutil
import string

import pytest


def _missing_tools() -> list[str]:
    return [tool for tool in ("ip", "nft", "nsenter", "unshare") if shutil.which(tool) is None]


def pytest_collection_modifyitems(config, items):
    reason = None
    if os.geteuid() != 0:
        reason = "needs root"
    elif missing := _missing_tools():
        reason = f"needs {', '.join(missing)}"
    if reason:
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if "root" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def prefix():
    """A unique kernel-name prefix for this test; everything named with it is swept."""
    value = "t" + "".join(random.choices(string.ascii_lowercase, k=4))
    scratch = f"/tmp/host-{value}"
    os.makedirs(scratch, exist_ok=True)
    try:
        yield value
    finally:
        sweep(value, scratch)


@pytest.fixture
def scratch(prefix) -> str:
    """The test's scratch directory (removed with everything else)."""
    return f"/tmp/host-{prefix}"


def sweep(prefix: str, scratch: str) -> None:
    from pocketstack.host import cgroups, instance, links, mounts, netns, nft

    runs = os.path.join(scratch, "run")
    for name in os.listdir(runs) if os.path.isdir(runs) else []:
        instance.stop(os.path.join(runs, name), timeout=2)
    for name in cgroups.list_names(prefix):
        cgroups.remove(name)
    for name in netns.list_names(prefix):
        netns.delete(name)
    links.sweep(prefix)
    nft.delete_tables(prefix)
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4] for line in handle if scratch in line.split()[4]]
    for point in sorted(points, reverse=True):
        mounts.unmount(point)
    shutil.rmtree(scratch, ignore_errors=True)
