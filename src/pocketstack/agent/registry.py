"""Every reconciler the agent runs, in the order a pass visits them."""

from __future__ import annotations

from pocketstack.agent.image_imports import ImageImportReconciler
from pocketstack.agent.loadbalancers import loadbalancer_reconcilers
from pocketstack.agent.network import network_reconcilers
from pocketstack.agent.reconcile import Reconciler
from pocketstack.agent.scaling import ScalingReconciler
from pocketstack.agent.servers import ServerReconciler


def build_reconcilers(cloud, compute_driver, network_driver) -> list[Reconciler]:
    balancers = (loadbalancer_reconcilers(cloud, cloud.loadbalancer_driver)
                 if cloud.loadbalancer_driver is not None else [])
    return [*network_reconcilers(cloud, network_driver), ServerReconciler(cloud, compute_driver),
            *balancers, ScalingReconciler(cloud, network_driver=network_driver),
            ImageImportReconciler(cloud)]
