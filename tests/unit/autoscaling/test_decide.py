"""decide(): the scaling rule on its own, as a table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pocketstack.db.models.autoscaling import ScalingGroup
from pocketstack.services.autoscaling.decide import decide

NOW = datetime(2026, 1, 1, 12, 0, 0)


def group(desired=2, min_size=1, max_size=6, target=10.0, out_ago=None, scaled_ago=None,
          out_cooldown=5.0, in_cooldown=30.0, metric=True) -> ScalingGroup:
    def ago(seconds):
        return None if seconds is None else NOW - timedelta(seconds=seconds)

    return ScalingGroup(
        desired_size=desired, min_size=min_size, max_size=max_size,
        metric={"type": "loadbalancer_connections", "target": target} if metric else None,
        scale_out_cooldown=out_cooldown, scale_in_cooldown=in_cooldown,
        last_scale_out_at=ago(out_ago), last_scaled_at=ago(scaled_ago))


@pytest.mark.parametrize(("kwargs", "metric", "size", "action"), [
    ({}, 20.0, 2, None),                       # exactly on target: 20 / 10 = 2
    ({}, 20.5, 3, "scale_out"),                # ceil
    ({}, 0.0, 1, "scale_in"),                  # never below min_size
    ({}, 1000.0, 6, "scale_out"),              # clamped to max_size
    ({"desired": 6}, 1000.0, 6, None),         # already at max
    ({"desired": 1}, 0.0, 1, None),            # already at min
    ({}, 35.0, 4, "scale_out"),                # several at once
    ({"desired": 5}, 11.0, 2, "scale_in"),     # several at once
    ({"target": 0.5}, 1.2, 3, "scale_out"),    # fractional targets
    ({}, 30.000000001, 3, "scale_out"),
    ({"min_size": 0, "desired": 1}, 0.0, 0, "scale_in"),
])
def test_size_follows_metric_over_target(kwargs, metric, size, action):
    decision = decide(group(**kwargs), metric, NOW)
    assert (decision.desired_size, decision.action) == (size, action)
    assert decision.reason


@pytest.mark.parametrize(("kwargs", "metric", "size", "action"), [
    ({"out_ago": 2}, 50.0, 2, None),           # scale-out cooldown (5 s) running
    ({"out_ago": 5}, 50.0, 5, "scale_out"),    # ... and over
    ({"scaled_ago": 2}, 50.0, 5, "scale_out"),  # a scale-in does not delay scale-out
    ({"scaled_ago": 10}, 0.0, 2, None),        # scale-in cooldown (30 s) after any scaling
    ({"scaled_ago": 31}, 0.0, 1, "scale_in"),
    ({"out_ago": 10, "scaled_ago": 10}, 0.0, 2, None),
    ({"in_cooldown": 0, "scaled_ago": 0}, 0.0, 1, "scale_in"),
])
def test_cooldowns(kwargs, metric, size, action):
    decision = decide(group(**kwargs), metric, NOW)
    assert (decision.desired_size, decision.action) == (size, action)
    if action is None and "cooldown" in str(kwargs):
        assert "cooldown" in decision.reason


@pytest.mark.parametrize(("kwargs", "metric", "size", "action"), [
    ({"desired": 8}, None, 6, "scale_in"),     # bounds changed: back inside at once
    ({"desired": 0, "min_size": 2}, None, 2, "scale_out"),
    ({"desired": 0, "min_size": 2, "out_ago": 0}, 0.0, 2, "scale_out"),  # ignores cooldowns
    ({"desired": 3}, None, 3, None),           # no metric value: hold
    ({"desired": 3, "metric": False}, 50.0, 3, None),  # no metric configured
])
def test_bounds_apply_without_metric(kwargs, metric, size, action):
    decision = decide(group(**kwargs), metric, NOW)
    assert (decision.desired_size, decision.action) == (size, action)


def test_reasons_say_why():
    decision = decide(group(), 35.0, NOW)
    assert "loadbalancer_connections 35" in decision.reason and "from 2 to 4" in decision.reason
    capped = decide(group(), 1000.0, NOW)
    assert "max_size" in capped.reason
