"""Every reconciler the agent runs, in the order a pass visits them."""

from __future__ import annotations

from pocketstack.agent.reconcile import Reconciler


def build_reconcilers(cloud, compute_driver, network_driver) -> list[Reconciler]:
    return []
