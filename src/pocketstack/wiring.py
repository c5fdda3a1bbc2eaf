"""Assemble one cloud: state store, drivers, agent and API, the same for tests and `up`."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass

from starlette.applications import Starlette

from pocketstack.agent.loop import WORKERS, Agent
from pocketstack.agent.registry import build_reconcilers
from pocketstack.api.app import create_app
from pocketstack.config import Settings
from pocketstack.db.migrate import upgrade
from pocketstack.db.session import Database
from pocketstack.drivers.compute.fake import FakeComputeDriver
from pocketstack.drivers.loadbalancer.fake import FakeLoadBalancerDriver
from pocketstack.drivers.network.fake import FakeNetworkDriver
from pocketstack.services.bootstrap import bootstrap
from pocketstack.services.runtime import Cloud

log = logging.getLogger(__name__)


@dataclass
class Deployment:
    cloud: Cloud
    agent: Agent
    app: Starlette
    accounts: dict


def choose_driver(requested: str) -> tuple[str, str | None]:
    """The driver to use and, when ``auto`` fell back, a one-line notice saying why."""
    if requested in ("fake", "namespace"):
        return requested, None
    if namespace_available():
        return "namespace", None
    return "fake", (
        "notice: using the fake driver (servers are records, not running instances); "
        "the namespace driver needs root on Linux with ip, nft, nsenter and unshare."
    )


def namespace_available() -> bool:
    """Whether this process can run namespace instances (root on Linux, the tools there)."""
    tools = ("ip", "nft", "nsenter", "unshare")
    return (sys.platform == "linux" and os.geteuid() == 0
            and all(shutil.which(tool) for tool in tools))


def make_drivers(settings: Settings, *, owns_host: bool = True):
    """``(compute, network)`` drivers. ``owns_host=False`` (``up --no-agent``: a separate
    ``pocketstack agent`` owns the host): the compute driver only answers the API's
    read-only queries and cleans nothing up, and no linux network driver is made."""
    if settings.driver == "fake":
        compute = FakeComputeDriver(os.environ.get("POCKETSTACK_FAKE_FAIL_SPAWN"))
        return compute, FakeNetworkDriver(os.environ.get("POCKETSTACK_FAKE_FAIL_NETWORK"))
    if settings.driver == "namespace":
        from pocketstack.drivers.compute.namespace import NamespaceComputeDriver
        from pocketstack.drivers.network.linux import LinuxNetworkDriver

        compute = NamespaceComputeDriver(settings, owns_host=owns_host)
        return compute, LinuxNetworkDriver(settings) if owns_host else None
    raise ValueError(f"driver {settings.driver!r} is not available in this build")


def make_loadbalancer_driver(settings: Settings):
    """HAProxy in namespaces beside namespace instances; in memory beside fake ones."""
    if settings.driver == "namespace":
        from pocketstack.drivers.loadbalancer.haproxy import HaproxyLoadBalancerDriver

        return HaproxyLoadBalancerDriver(settings)
    return FakeLoadBalancerDriver(os.environ.get("POCKETSTACK_FAKE_FAIL_LOADBALANCER"))


def _private_state_store(settings: Settings) -> None:
    """The data dir 0700 and the state store (hashes, token digests) 0600. SQLite gives
    its -wal and -shm files the mode of the database file, so that is made first."""
    settings.data_dir.chmod(0o700)
    if not settings.database_url.startswith("sqlite"):
        return
    database = settings.data_dir / "pocketstack.db"
    for path in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
        if path.exists():
            path.chmod(0o600)
    database.touch(mode=0o600)


def assemble(settings: Settings, *, start_agent: bool = True,
             with_agent: bool = True) -> Deployment:
    """Migrate, bootstrap and wire a cloud. The caller serves ``app`` and stops ``agent``.
    ``with_agent=False``: the API alone (its agent has no reconcilers); a separate
    ``assemble_agent`` process on the same data dir converges the host."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _private_state_store(settings)
    db = Database(settings.database_url)
    upgrade(db)
    compute_driver, network_driver = make_drivers(settings, owns_host=with_agent)
    cloud = Cloud(settings=settings, db=db, compute_driver=compute_driver,
                  loadbalancer_driver=make_loadbalancer_driver(settings))
    agent = _agent(cloud, network_driver) if with_agent else Agent([])
    accounts = bootstrap(cloud)
    if start_agent:
        agent.start()
    return Deployment(cloud=cloud, agent=agent, app=create_app(cloud), accounts=accounts)


def _agent(cloud: Cloud, network_driver, resync_seconds: float = 5.0) -> Agent:
    settings = cloud.settings
    agent = Agent(build_reconcilers(cloud, cloud.compute_driver, network_driver),
                  resync_seconds=resync_seconds,
                  workers=int(settings.extra.get("agent_workers", WORKERS)))
    cloud.wake_agent = agent.wake
    if hasattr(network_driver, "serve_metadata"):
        from pocketstack.agent.metadata import MetadataResponder

        network_driver.serve_metadata(MetadataResponder(cloud))
    return agent


def assemble_agent(settings: Settings, poll_seconds: float) -> tuple[Agent, Database]:
    """The host agent alone (``pocketstack agent``) on a state store that ``pocketstack
    up --no-agent`` made and migrated. Nothing wakes it across processes: it looks at the
    store every ``poll_seconds``. The caller starts and stops the agent."""
    db = Database(settings.database_url)
    compute_driver, network_driver = make_drivers(settings)
    cloud = Cloud(settings=settings, db=db, compute_driver=compute_driver,
                  loadbalancer_driver=make_loadbalancer_driver(settings))
    return _agent(cloud, network_driver, resync_seconds=poll_seconds), db


def purge_host_objects(prefix: str) -> None:
    """Remove every kernel object named with ``prefix`` (none exist with the fake drivers)."""
    if namespace_available():
        from pocketstack.drivers.compute.namespace import purge
        from pocketstack.drivers.loadbalancer.haproxy import purge as purge_loadbalancers
        from pocketstack.drivers.network.linux import purge as purge_network

        purge(prefix)
        purge_loadbalancers(prefix)
        purge_network(prefix)
