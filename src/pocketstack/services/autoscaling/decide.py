"""The scaling decision: a pure function of a group, its metric value and the time.

``target`` is per server: wanted = clamp(ceil(metric / target), min_size, max_size).
A scale-out waits ``scale_out_cooldown`` s after the previous scale-out; a scale-in waits
``scale_in_cooldown`` s after the previous scaling of either kind (so a group that just
grew is not shrunk by the next dip). A desired size outside [min_size, max_size] (after
a change of the bounds) is brought back at once, cooldowns or not. Without a metric value
(none configured, or unreadable) only the bounds apply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

SCALE_OUT, SCALE_IN = "scale_out", "scale_in"
EPSILON = 1e-9  # 20.0 / 10 per server is 2 servers, not 3 after float noise


@dataclass(frozen=True)
class Decision:
    desired_size: int
    action: str | None  # SCALE_OUT, SCALE_IN, or None to hold
    reason: str


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def needed(metric_value: float, target: float) -> int:
    """Servers needed for ``metric_value`` at ``target`` per server (never negative)."""
    return max(0, math.ceil(metric_value / target - EPSILON))


def cooldown_left(since: datetime | None, cooldown: float, now: datetime) -> float:
    if since is None:
        return 0.0
    return max(0.0, cooldown - (now - since).total_seconds())


def decide(group, metric_value: float | None, now: datetime) -> Decision:
    """What ``group`` (min_size, max_size, desired_size, metric, cooldowns and the
    last_scale_out_at / last_scaled_at times) should do now."""
    current = group.desired_size
    bounded = clamp(current, group.min_size, group.max_size)
    if bounded != current:
        bound = "min_size" if bounded > current else "max_size"
        return Decision(bounded, _direction(current, bounded),
                        f"desired size {current} is outside the bounds: {bound} is {bounded}")
    if metric_value is None or not group.metric:
        return Decision(current, None, "no metric value: the size only follows its bounds")
    return _follow_metric(group, float(metric_value), now)


def _direction(current: int, wanted: int) -> str:
    return SCALE_OUT if wanted > current else SCALE_IN


def _follow_metric(group, value: float, now: datetime) -> Decision:
    current, metric = group.desired_size, group.metric
    target = float(metric["target"])
    raw = needed(value, target)
    wanted = clamp(raw, group.min_size, group.max_size)
    because = f"{metric['type']} {value:g} at target {target:g} per server needs {raw}"
    if raw != wanted:
        because += f", held to {wanted} by {'max_size' if raw > wanted else 'min_size'}"
    if wanted == current:
        return Decision(current, None, f"{because}: size {current} is right")
    if wanted > current:
        left = cooldown_left(group.last_scale_out_at, group.scale_out_cooldown, now)
    else:
        left = cooldown_left(group.last_scaled_at, group.scale_in_cooldown, now)
    action = _direction(current, wanted)
    if left > 0:
        return Decision(current, None,
                        f"{because}: {action} waits for its cooldown ({left:.1f} s left)")
    return Decision(wanted, action, f"{because}: {action} from {current} to {wanted}")
