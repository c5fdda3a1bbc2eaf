"""Fixtures for the user-flow tests: a real ``pocketstack up`` in a test host namespace.

Teardown (also after a failure) stops the process, kills any launcher left, purges every
kernel object of the test's prefix inside the host namespace, deletes that namespace and
the data dir ``/tmp/boot-<prefix>``; the shared ``prefix`` fixture sweeps what remains.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pocketstack.host import names
from tests.harness.cloud_process import started

from .helpers import RealCloud

API_PORT = 18821


@pytest.fixture
def real_cloud(prefix):
    with started(RealCloud(prefix, names.kernel_name(prefix, "host_ns", "flowhost"),
                           Path(f"/tmp/boot-{prefix}"), API_PORT)) as cloud:
        yield cloud
