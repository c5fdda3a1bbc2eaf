"""Fixtures of the compatibility suite: a real `pocketstack up` process per test.

Each test gets its own cloud (own data dir under $TMPDIR/compat-*, own free port): a cloud
starts in about a second, far less than the client calls a test makes, so no test can see
another's leftovers or quota use. Every process is stopped by PID (SIGTERM, then SIGKILL)
even when the test fails, and a failing test's report carries the cloud's log.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.compat.cloud import CloudProcess


class CloudFactory:
    """``start_cloud(env={...})`` starts a cloud; ``close()`` stops and removes them all."""

    def __init__(self) -> None:
        self.clouds: list[CloudProcess] = []

    def __call__(self, env: dict[str, str] | None = None) -> CloudProcess:
        cloud = CloudProcess(Path(tempfile.mkdtemp(prefix="compat-")), env)
        self.clouds.append(cloud)
        cloud.start()
        return cloud

    def logs(self) -> str:
        return "\n".join(f"--- {c.log_path} ---\n{c.log_tail(200)}" for c in self.clouds)

    def close(self) -> None:
        for cloud in self.clouds:
            cloud.stop()
            shutil.rmtree(cloud.root, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    factory = getattr(item, "funcargs", {}).get("start_cloud")
    if report.failed and isinstance(factory, CloudFactory) and factory.clouds:
        report.sections.append(("pocketstack log", factory.logs()))
    return report


@pytest.fixture
def start_cloud():
    factory = CloudFactory()
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def cloud(start_cloud) -> CloudProcess:
    """A fresh cloud with the default settings (driver fake)."""
    return start_cloud()
