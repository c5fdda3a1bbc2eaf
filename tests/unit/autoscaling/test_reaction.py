"""Scale-out reaction with the real agent loop: load step → decision → server booting."""

from __future__ import annotations

import time

from tests.unit.autoscaling.conftest import A, create, ok
from tests.unit.autoscaling.fakes import FakeMetrics

GOAL = 2.0


def wait(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (found := predicate()):
            return found
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_scale_out_reacts_within_two_seconds(deployment, demo):
    scaling = next(r for r in deployment.agent.reconcilers if r.kind == "scaling_group")
    scaling.metrics = FakeMetrics(0.0)
    group = create(demo, scale_out_cooldown=0, metric={"type": "cpu", "target": 10})

    def servers(statuses):
        shown = ok(demo.get(f"{A}/groups/{group['id']}"))["group"]["servers"]
        return len([s for s in shown if s["status"] in statuses])

    wait(lambda: servers({"ACTIVE"}) == 1)
    started = time.monotonic()
    scaling.metrics.value = 25.0  # the load step: 3 servers' worth
    wait(lambda: servers({"BUILD", "ACTIVE"}) == 3)
    booting = time.monotonic() - started
    wait(lambda: servers({"ACTIVE"}) == 3)
    active = time.monotonic() - started
    print(f"scale-out reaction: booting after {booting:.2f} s, ACTIVE after {active:.2f} s")
    assert booting <= GOAL
