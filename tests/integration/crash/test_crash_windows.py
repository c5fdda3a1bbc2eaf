"""Crash windows the soak found, replayed deterministically: the kill -9 lands between two
steps of a driver, and the restarted driver must still converge to exactly one, current
copy of the thing.

* Between starting an instance's launcher and recording it (the ``launcher`` file): the
  launcher ran unseen and the restarted agent's spawn started a second one (the instance
  ran twice). A spawn of an instance whose directory exists now removes whatever of it
  runs first.
* Between writing a load balancer's changed ``haproxy.cfg`` and the reload: the restarted
  agent found the file already as wanted and never reloaded, so HAProxy kept serving a
  removed member. The driver now reloads until a ``loaded`` marker says HAProxy read it.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import replace

import pytest

from pocketstack.drivers.compute import inventory
from pocketstack.drivers.compute.base import InstanceSpec
from pocketstack.drivers.compute.namespace import NamespaceComputeDriver
from pocketstack.drivers.loadbalancer.base import ListenerSpec
from pocketstack.host import haproxy
from tests.integration.compute.conftest import (  # noqa: F401 - fixtures
    base_image,
    data_dir,
    make_settings,
)
from tests.integration.loadbalancer.test_driver import (  # noqa: F401 - fixtures
    LB_ID,
    SPEC,
    host,
    make_driver,
)

pytestmark = pytest.mark.root


class Killed(BaseException):
    """The SIGKILL: nothing in the driver catches it."""


def killed(*_args, **_kwargs):
    raise Killed


def test_a_launcher_nobody_recorded_is_replaced_not_doubled(prefix, data_dir, base_image):  # noqa: F811
    server_id = str(uuid.uuid4())
    spec = InstanceSpec(id=server_id, name="s", hostname="once", image_id="i", vcpus=1,
                        memory_mb=128, disk_gb=0, image_layers=(base_image,), host_usr=True)
    NamespaceComputeDriver(make_settings(prefix, data_dir)).spawn(spec)
    instances = str(data_dir / "instances")
    os.unlink(os.path.join(instances, server_id, "launcher"))  # the crash window

    NamespaceComputeDriver(make_settings(prefix, data_dir)).spawn(spec)  # the restart

    assert list(inventory.launcher_pids(instances).values()) == [server_id]


def test_a_config_written_but_not_reloaded_is_reloaded_after_restart(
        prefix, scratch, host, monkeypatch):  # noqa: F811
    make_driver(prefix, scratch, host).ensure(SPEC)
    second = ListenerSpec(id="second", protocol="TCP", protocol_port=3307)
    changed = replace(SPEC, listeners=(*SPEC.listeners, second))
    with monkeypatch.context() as patch:
        patch.setattr(haproxy, "reload", killed)
        with pytest.raises(Killed):
            make_driver(prefix, scratch, host).ensure(changed)

    make_driver(prefix, scratch, host).ensure(changed)  # the restart

    run_dir = os.path.join(scratch, "loadbalancers", LB_ID)
    served = {row["pxname"] for row in haproxy.show_stat(run_dir) if row["svname"] == "FRONTEND"}
    assert served == {"listener", "second"}
