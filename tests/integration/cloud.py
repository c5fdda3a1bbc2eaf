"""A whole cloud on the namespace + linux drivers, assembled in this process inside a test
"host" network namespace (bridges, 172.24.4.1 and the host tables stay out of pytest's own
namespace), and everything it made removed afterwards, even when the test failed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pocketstack.config import Settings
from pocketstack.host import names, netns
from pocketstack.wiring import Deployment, assemble
from tests.harness.cloud_process import remove_deployment


@contextmanager
def namespace_cloud(prefix: str, data_dir: Path, port: int,
                    host: str | None = None) -> Iterator[tuple[Deployment, str]]:
    """``(deployment, host namespace)``. ``host`` defaults to the prefix's ``host_ns``
    name; give another one to keep the namespace out of what a purge of the prefix takes."""
    host = host or names.kernel_name(prefix, "host_ns", "host")
    netns.create(host)
    data_dir.mkdir(mode=0o700)
    settings = Settings(data_dir=data_dir, port=port, prefix=prefix, driver="namespace")
    deployment = None
    try:
        deployment = netns.call(host, assemble, settings)
        yield deployment, host
    finally:
        if deployment is not None:
            stop(deployment)
        remove_everything(prefix, data_dir, host)


def stop(deployment: Deployment) -> None:
    deployment.agent.stop()
    deployment.agent.reconcilers[0].driver.close()
    deployment.cloud.db.dispose()


def remove_everything(prefix: str, data_dir: Path, host: str) -> None:
    """Kill the instances' launchers, purge the prefix inside ``host``, unmount what is
    left under ``data_dir``, then remove it and the host namespace."""
    remove_deployment(prefix, data_dir, host)
