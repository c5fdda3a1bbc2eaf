"""The scaling reconciler: every ~1 s per group, read its metric, decide, converge.

A pass over one group: take what the metric needs from the store; read the metric and
the pool members' sessions (no transaction held: an HTTP read may take 2 s); then in one
transaction move each server a step (join the pool when ACTIVE, finish drains, forget
deleted servers), record the metric and the decision, and take surplus servers out of
service (newest first, draining pool members before their server is deleted); then
create missing servers, each in its own transaction, through the compute service (as
``POST /servers``: quotas apply; the server reconciler boots them). Everything lives in
the store, so a kill at any moment loses nothing: the next pass resumes joins and drains
where they stand. A deleted group is removed once its last server is gone.
"""

from __future__ import annotations

import logging
import math
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from pocketstack.agent.metrics import (
    MetricReaders,
    MetricSource,
    MetricUnavailable,
    MetricWarmingUp,
)
from pocketstack.agent.reconcile import DONE, Result
from pocketstack.db.base import utcnow
from pocketstack.db.models.autoscaling import ScalingEvent, ScalingGroup
from pocketstack.errors import CloudError
from pocketstack.services.autoscaling import events, groups, lifecycle, metric_target, pool
from pocketstack.services.autoscaling.decide import decide
from pocketstack.services.runtime import Cloud

log = logging.getLogger(__name__)

PERIOD = 0.5  # seconds between two looks at a group
SETTLING_PERIOD = 0.2  # while a server boots or drains: it joins or leaves the pool sooner
RETRY_AFTER = 5.0


class Step(NamedTuple):
    """What a pass's transaction did: how many servers to create (None: the group is
    gone), whether anything but the metric changed (the agent then looks at servers
    again), and whether servers are still on their way in or out of service."""

    missing: int | None
    changed: bool
    settling: bool


class ScalingReconciler:
    """Safe to run for different groups at once (``parallel``): a group's metric read may
    wait on the network, and groups share nothing but the store."""

    kind = "scaling_group"
    parallel = True

    def __init__(self, cloud: Cloud, metrics: MetricReaders | None = None,
                 period: float = PERIOD, settling_period: float = SETTLING_PERIOD,
                 network_driver=None) -> None:
        self.cloud, self.period = cloud, period
        self.network_driver = network_driver  # where the host reaches floating IPs
        self.settling_period = min(period, settling_period)
        self.metrics = metrics or MetricReaders(cloud)

    def pending(self) -> list[str]:
        """Every group: each is looked at again ``PERIOD`` s after its last pass."""
        with self.cloud.db.session() as session:
            return list(session.scalars(select(ScalingGroup.id).order_by(ScalingGroup.created_at)))

    def reconcile(self, key: str) -> Result:
        try:
            return self._pass(key)
        except OperationalError:
            raise  # a busy store: the loop retries with backoff
        except CloudError as exc:  # e.g. the pool went away: say so, look again later
            log.warning("scaling group %s: %s", key, exc.message)
            self.fail(key, exc.message)
        except Exception as exc:  # a bug: show it on the group, do not spin on it
            log.exception("scaling group %s failed", key)
            self.fail(key, f"{type(exc).__name__}: {exc}")
        return Result(requeue_after=RETRY_AFTER)

    def _pass(self, key: str) -> Result:
        source = self._source(key)
        if source is None:
            return DONE
        value, problem = self._read(source)
        sessions = self.metrics.member_sessions(source)
        step = self._step(key, value, problem, sessions)
        if step.missing is None:
            return DONE
        if self._create(key, step.missing) or step.changed:
            self.cloud.wake_agent()
        return Result(requeue_after=self.settling_period if step.settling else self.period)

    def _source(self, key: str) -> MetricSource | None:
        with self.cloud.db.session() as session:
            group = session.get(ScalingGroup, key)
            if group is None:
                return None
            in_service = tuple(row.server_id for row in lifecycle.rows_of(session, key)
                               if row.state == lifecycle.IN_SERVICE)
            loadbalancer_id = None
            if group.load_balancer:
                loadbalancer_id = pool.loadbalancer_of(
                    session, lifecycle.acting_for(group), group.load_balancer["pool_id"])
            metric = None if group.status == groups.DELETING else group.metric
            refused = device = None
            if metric and metric["type"] == "http_regex":  # ownership may have changed
                refused, device = self._http_target(session, group)
            return MetricSource(key, metric, loadbalancer_id, in_service, refused, device)

    def _http_target(self, session, group: ScalingGroup) -> tuple[str | None, str | None]:
        """(why the group's URL may not be read now, the host interface to read it on)."""
        fip, refused = metric_target.locate(session, lifecycle.acting_for(group),
                                            group.load_balancer, group.metric["url"])
        if refused:
            return refused, None
        reach = getattr(self.network_driver, "floating_ip_device", None)
        if reach is None:
            return ("this cloud's network driver does not reach floating IPs from the host: "
                    "http_regex metrics are not read"), None
        return None, reach(fip.floating_network_id)

    def _read(self, source: MetricSource) -> tuple[float | None, str | None]:
        if not source.metric:
            return None, None
        try:
            value = self.metrics.read(source)
        except MetricWarmingUp:
            return None, None
        except MetricUnavailable as exc:
            return None, str(exc)
        if not math.isfinite(value):  # no decision can be made of nan or inf
            return None, f"the metric read {value}, not a finite number"
        return value, None

    def _step(self, key: str, value: float | None, problem: str | None,
              sessions: dict[str, int | None] | None) -> Step:
        """One transaction: servers one step on, the decision, the scale-in."""
        now = utcnow()
        with self.cloud.db.session() as session:
            group = session.get(ScalingGroup, key)
            if group is None:
                return Step(None, False, False)
            lifecycle.follow(session, group, sessions, now)
            if group.status != groups.DELETING:
                self._decide(session, group, value, problem, now)
            missing = lifecycle.shrink(session, group, now)
            if group.status == groups.DELETING:
                if not lifecycle.rows_of(session, key):
                    session.delete(group)
                    return Step(None, True, False)
                return Step(0, _changed(session, group, now), True)
            _report(session, group, missing)
            return Step(missing, _changed(session, group, now), group.status == groups.SCALING)

    def _decide(self, session, group: ScalingGroup, value, problem, now) -> None:
        if problem:
            events.record(session, group, "error", f"metric unavailable: {problem}")
        if value is not None:
            group.last_metric = value
        decision = decide(group, value, now)
        if decision.action is None:
            return
        events.record(session, group, decision.action, decision.reason,
                      from_size=group.desired_size, to_size=decision.desired_size, metric=value)
        if decision.desired_size > group.desired_size:
            group.last_scale_out_at = now
        group.desired_size, group.last_scaled_at = decision.desired_size, now

    def _create(self, key: str, missing: int) -> int:
        """Create ``missing`` servers, one transaction each; stop at the first refusal."""
        for created in range(missing):
            try:
                with self.cloud.db.session() as session:
                    group = session.get(ScalingGroup, key)
                    if group is None or group.status == groups.DELETING:
                        return created
                    lifecycle.launch(session, group)
            except CloudError as exc:
                self._refused(key, exc.message)
                return created
        return missing

    def _refused(self, key: str, message: str) -> None:
        with self.cloud.db.session() as session:
            group = session.get(ScalingGroup, key)
            if group is not None:
                events.record(session, group, "error", f"cannot create a server: {message}")
                group.status, group.status_reason = groups.ERROR, message

    def fail(self, key: str, message: str) -> None:
        with self.cloud.db.session() as session:
            group = session.get(ScalingGroup, key)
            if group is not None:
                events.record(session, group, "error", message)
                if group.status != groups.DELETING:
                    group.status, group.status_reason = groups.ERROR, message

    def sweep(self) -> None:
        """Nothing on the host: a group is rows only."""


def _changed(session, group: ScalingGroup, since) -> bool:
    """Whether this pass did something (every step of a server is an event)."""
    return session.scalar(select(ScalingEvent.id).where(
        ScalingEvent.group_id == group.id, ScalingEvent.created_at >= since).limit(1)) is not None


def _report(session, group: ScalingGroup, missing: int) -> None:
    """ACTIVE when every wanted server is in service, else SCALING (ERROR stays until a
    server can be created again)."""
    rows = lifecycle.rows_of(session, group.id)
    settled = missing == 0 and all(row.state == lifecycle.IN_SERVICE for row in rows) \
        and len(rows) == group.desired_size
    if group.status == groups.ERROR and missing:
        return
    status = groups.ACTIVE if settled else groups.SCALING
    if status != group.status:
        group.status, group.status_reason = status, ""
