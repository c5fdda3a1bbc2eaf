"""Reconcilers for networks, ports, routers and floating IPs, through the network driver.

Each reads one row's desired state (services/network/host_state.py), converges the host,
then reports the generation it applied; a row marked ``deleting`` is removed only after
the driver confirmed cleanup. ``sweep`` removes host objects no row names.
"""

from __future__ import annotations

from sqlalchemy import select

from pocketstack.agent.reconcile import DONE, Result, TemporaryError
from pocketstack.db.models.network import FloatingIp, Network, Port, Router
from pocketstack.drivers.network.base import NetworkDriver
from pocketstack.services.network import host_state
from pocketstack.services.runtime import Cloud


class _RowReconciler:
    """One kind of row with host state; subclasses say how to converge and remove it."""

    kind = ""
    model: type = Network
    inventory_field = ""

    def __init__(self, cloud: Cloud, driver: NetworkDriver) -> None:
        self.cloud = cloud
        self.driver = driver
        self._resynced = False

    def pending(self) -> list[str]:
        """The first pass after start visits every row (a full resync: a restarted driver
        rebuilds whole tables, e.g. every port's security groups, and its listeners)."""
        with self.cloud.db.session() as session:
            keys = host_state.pending(session, self.model)
            if not self._resynced:
                self._resynced = True
                keys = sorted(set(keys) | host_state.wanted(session, self.model))
            return keys

    def reconcile(self, key: str) -> Result:
        with self.cloud.db.session() as session:
            row = session.get(self.model, key)
            gone = row is None or row.deleting
            if gone:
                self.before_delete(session, key)
            else:
                generation, desired = row.generation, self.desired(session, row)
        if gone:
            self.remove(key)
            self._finish_delete(key)
        else:
            self._report(key, generation, self.apply(key, desired))
        return DONE

    def _finish_delete(self, key: str) -> None:
        with self.cloud.db.session() as session:
            row = session.get(self.model, key)
            if row is not None and row.deleting:
                host_state.finish_delete(session, row)

    def _report(self, key: str, generation: int, status: str) -> None:
        with self.cloud.db.session() as session:
            row = session.get(self.model, key)
            if row is not None and not row.deleting:
                host_state.report(session, row, generation, status)

    def fail(self, key: str, message: str) -> None:
        with self.cloud.db.session() as session:
            row = session.get(self.model, key)
            if row is not None:
                host_state.report_fault(row, message)

    def sweep(self) -> None:
        existing = getattr(self.driver.inventory(), self.inventory_field)
        with self.cloud.db.session() as session:
            keep = host_state.wanted(session, self.model)
        for stale in existing - keep:
            self.remove(stale)

    def before_delete(self, session, key: str) -> None:
        """Raise TemporaryError while something must go first."""

    def desired(self, session, row):
        raise NotImplementedError

    def apply(self, key: str, desired) -> str:
        """Converge the host to ``desired`` (None: nothing); return the status to show."""
        raise NotImplementedError

    def remove(self, key: str) -> None:
        raise NotImplementedError


class NetworkReconciler(_RowReconciler):
    kind, model, inventory_field = "network", Network, "networks"

    def before_delete(self, session, key: str) -> None:
        if host_state.network_has_ports(session, key):
            raise TemporaryError(f"network {key} still has ports being removed")

    def desired(self, session, row):
        return host_state.network_spec(session, row)

    def apply(self, key: str, desired) -> str:
        self.driver.ensure_network(desired)
        return "ACTIVE" if desired.admin_state_up else "DOWN"

    def remove(self, key: str) -> None:
        self.driver.delete_network(key)


class PortReconciler(_RowReconciler):
    """Ports of instances (not the ports routers and floating IPs own)."""

    kind, model, inventory_field = "port", Port, "ports"

    def desired(self, session, row):
        return host_state.port_spec(session, row) or False

    def apply(self, key: str, desired) -> str:
        if desired is False:
            self.driver.unplug_port(key)
            return "DOWN"
        self.driver.plug_port(desired)
        return "ACTIVE" if desired.admin_state_up else "DOWN"

    def remove(self, key: str) -> None:
        self.driver.unplug_port(key)


class RouterReconciler(_RowReconciler):
    kind, model, inventory_field = "router", Router, "routers"

    def before_delete(self, session, key: str) -> None:
        holders = select(FloatingIp.id).where(FloatingIp.router_id == key)
        if session.scalar(holders.limit(1)):
            raise TemporaryError(f"router {key} still carries floating IPs")

    def desired(self, session, row):
        return host_state.router_spec(session, row)

    def apply(self, key: str, desired) -> str:
        self.driver.ensure_router(desired)
        return "ACTIVE" if desired.admin_state_up else "DOWN"

    def remove(self, key: str) -> None:
        self.driver.delete_router(key)


class FloatingIpReconciler(_RowReconciler):
    kind, model, inventory_field = "floating_ip", FloatingIp, "floating_ips"

    def desired(self, session, row):
        return host_state.floating_ip_spec(session, row) or False

    def apply(self, key: str, desired) -> str:
        if desired is False:
            self.driver.remove_floating_ip(key)
            return "DOWN"
        self.driver.ensure_floating_ip(desired)
        return "ACTIVE"

    def remove(self, key: str) -> None:
        self.driver.remove_floating_ip(key)


def network_reconcilers(cloud: Cloud, driver: NetworkDriver) -> list:
    """In the order a pass should visit them: what others stand on comes first."""
    return [cls(cloud, driver) for cls in (NetworkReconciler, PortReconciler, RouterReconciler,
                                           FloatingIpReconciler)]
