"""The server reconciler: converge each server's desired state with its instance.

Desired state is the row's ``vm_state``/``task_state``: building → spawn, a power or
reboot task → drive the instance, image_snapshot → stream a snapshot to the image
service, rebuilding → a fresh instance from the server's image, deleting → destroy, release the ports, then remove the row (the finaliser).
An active server whose instance is missing from the host is spawned again, and one whose
instance stopped by itself shows SHUTOFF: both found by an inventory of the host every
``INVENTORY_SECONDS`` (not on every agent wake: with the namespace driver it scans
``/proc``).
"""

from __future__ import annotations

import base64
import logging
import socket
import time

from sqlalchemy import or_, select, update

from pocketstack.agent.reconcile import DONE, Result
from pocketstack.db.base import isotime, utcnow
from pocketstack.db.models.compute import Server
from pocketstack.db.models.network import Port
from pocketstack.drivers.compute.base import ComputeDriver, InstanceSpec, PowerState
from pocketstack.errors import CloudError, DriverError
from pocketstack.host import names
from pocketstack.services.compute import backups, instance_actions
from pocketstack.services.compute import server_states as states
from pocketstack.services.image import for_compute as images
from pocketstack.services.network import for_compute as network
from pocketstack.services.runtime import Cloud

log = logging.getLogger(__name__)

INVENTORY_SECONDS = 10.0

POWER_TASKS = (states.POWERING_ON, states.POWERING_OFF, states.REBOOTING,
               states.REBOOTING_HARD)


def _compare_and_set(session, key: str, expected_task: str | None, **values) -> bool:
    """Write ``values`` only if the server's task is still ``expected_task``.

    The API writes a server's desired state (its task) while the agent works; a plain
    read-modify-write here could overwrite a delete that came in meanwhile.
    """
    same_task = (Server.task_state.is_(None) if expected_task is None
                 else Server.task_state == expected_task)
    result = session.execute(update(Server).where(Server.id == key, same_task).values(**values)
                             .execution_options(synchronize_session=False))
    return result.rowcount == 1


class ServerReconciler:
    """Safe to run for different servers at once (``parallel``: each key is its own
    instance, and the compute driver keeps no shared state between them)."""

    kind = "server"
    parallel = True

    def __init__(self, cloud: Cloud, driver: ComputeDriver, host: str | None = None,
                 inventory_seconds: float = INVENTORY_SECONDS) -> None:
        self.cloud, self.driver = cloud, driver
        self.host = host or socket.gethostname()
        self.inventory_seconds = inventory_seconds
        self._inventory_due = 0.0  # the first pending() looks at the host
        self._suspects: set[str] = set()  # settled servers the last inventory found amiss

    def pending(self) -> list[str]:
        """Servers with work to do (deletes first: they must not wait behind spawns), and
        active ones whose instance the host lacks or that stopped by themselves.

        Only the first call and then one call per ``INVENTORY_SECONDS`` look at the host
        (the driver's ``list_instances`` and each settled server's power state: a
        ``/proc`` scan with the namespace driver); other calls, one or more per agent
        wake, read the store only. So a lost or crashed instance of an ACTIVE server is
        noticed within ``INVENTORY_SECONDS`` plus the agent's resync period, and stays
        listed until a reconcile of it succeeds."""
        with self.cloud.db.session() as session:
            busy = list(session.scalars(select(Server.id).where(
                or_(Server.vm_state == states.BUILDING, Server.task_state.is_not(None)))
                .order_by((Server.task_state == states.DELETING).desc())))
            settled = None
            if time.monotonic() >= self._inventory_due:
                settled = list(session.scalars(select(Server.id).where(
                    Server.vm_state == states.ACTIVE, Server.task_state.is_(None))))
        if settled is not None:
            self._inventory_due = time.monotonic() + self.inventory_seconds
            present = self.driver.list_instances()
            self._suspects = {server_id for server_id in settled if server_id not in present
                              or self._stopped_behind_our_back(server_id)}
        listed = set(busy)
        return busy + sorted(key for key in set(self._suspects) if key not in listed)

    def ready(self, keys: list[str]) -> list[str]:
        """Of ``keys``, those that need nothing the network reconcilers have yet to do: all
        but new servers whose ports the host has not applied yet (their security groups
        must be in place, and the port known to the host's guard, before the instance
        runs and reports ACTIVE). The agent visits only these; it may start them before a
        pass reaches the network reconcilers."""
        with self.cloud.db.session() as session:
            unplugged = set(session.scalars(select(Server.id).join(
                Port, Port.device_id == Server.id).where(
                Server.vm_state == states.BUILDING,
                or_(Server.task_state.is_(None), Server.task_state != states.DELETING),
                Port.deleting.is_(False), Port.generation != Port.applied_generation)))
        return [key for key in keys if key not in unplugged]

    def _stopped_behind_our_back(self, key: str) -> bool:
        return self.driver.power_state(key) in (PowerState.SHUTDOWN, PowerState.CRASHED)

    def reconcile(self, key: str) -> Result:
        result = self._converge(key)
        self._suspects.discard(key)  # not reached on a failure: listed again until it works
        return result

    def _converge(self, key: str) -> Result:
        with self.cloud.db.session() as session:
            server = session.get(Server, key)
            if server is None:
                self.driver.destroy(key)
                return DONE
            task, vm_state = server.task_state, server.vm_state
            if vm_state == states.BUILDING and task != states.DELETING:
                if not _compare_and_set(session, key, task, task_state=states.SPAWNING,
                                        host=self.host):
                    return Result(requeue_after=0.0)  # a delete came in: look again
                task = states.SPAWNING
            spec = self._spec(session, server) if task != states.DELETING else None
            snapshot_id = server.snapshot_image_id
        if task == states.DELETING:
            return self._delete(key, snapshot_id)
        if task == states.SPAWNING:
            self.driver.spawn(spec)
            self._record(key, task, vm_state=states.ACTIVE, launched_at=utcnow())
        elif task in POWER_TASKS:
            self._power(key, task, spec)
        elif task == states.IMAGE_SNAPSHOT:
            self._snapshot(key, snapshot_id)
        elif task == states.REBUILDING:
            self._rebuild(key, vm_state, spec)
        elif vm_state == states.ACTIVE and self._missing(key):
            self.driver.spawn(spec)
            self._record(key, None, power_state=PowerState.RUNNING)
        elif vm_state == states.ACTIVE and self._stopped_behind_our_back(key):
            # Its init exited (a `poweroff` inside, a crash): like Nova's power-state
            # sync, the server is now SHUTOFF; `server start` brings it back.
            self._record(key, None, vm_state=states.STOPPED)
        return DONE

    def _missing(self, key: str) -> bool:
        return self.driver.power_state(key) == PowerState.NOSTATE

    def _power(self, key: str, task: str, spec: InstanceSpec) -> None:
        if task == states.POWERING_OFF:
            if not self._missing(key):
                self.driver.power_off(key)
            self._record(key, task, vm_state=states.STOPPED)
            return
        if self._missing(key):
            self.driver.spawn(spec)
        elif task == states.POWERING_ON:
            self.driver.power_on(key, spec)
        else:
            self.driver.reboot(key, spec, hard=task == states.REBOOTING_HARD)
        self._record(key, task, vm_state=states.ACTIVE)

    def _rebuild(self, key: str, vm_state: str, spec: InstanceSpec) -> None:
        """A fresh instance from the server's (new) image; a stopped server stays off and
        gets its new disk when started. Safe to repeat after a crash at any point."""
        self.driver.destroy(key)
        if vm_state == states.STOPPED:
            self._record(key, states.REBUILDING, power_state=int(PowerState.SHUTDOWN))
            return
        self.driver.spawn(spec)
        self._record(key, states.REBUILDING, vm_state=states.ACTIVE, launched_at=utcnow(),
                     fault=None)

    def _snapshot(self, key: str, image_id: str | None) -> None:
        try:
            if image_id:
                if self._missing(key):
                    raise DriverError(f"Instance {key} is not on this host.")
                images.finish_snapshot(self.cloud, image_id, self.driver.snapshot(key))
                backups.rotate(self.cloud, image_id)
        except CloudError as exc:
            if isinstance(exc, DriverError) and not exc.permanent:
                raise
            log.warning("snapshot %s of server %s failed: %s", image_id, key, exc.message)
            images.fail_snapshot(self.cloud, image_id, exc.message)
        self._record(key, states.IMAGE_SNAPSHOT, snapshot_image_id=None)

    def _delete(self, key: str, snapshot_id: str | None) -> Result:
        self.driver.destroy(key)
        if snapshot_id:
            images.fail_snapshot(self.cloud, snapshot_id, "The server was deleted.")
        with self.cloud.db.session() as session:
            server = session.get(Server, key)
            if server is not None and server.task_state == states.DELETING:
                network.release_server_ports(session, key)
                session.delete(server)
                instance_actions.finish(session, key)
                instance_actions.prune_deleted(session)
        return DONE

    def _record(self, key: str, expected_task: str | None, **values) -> None:
        """Report the outcome unless the desired state changed meanwhile (e.g. a delete)."""
        values = {"power_state": int(self.driver.power_state(key)), **values, "task_state": None}
        with self.cloud.db.session() as session:
            if _compare_and_set(session, key, expected_task, **values):
                instance_actions.finish(session, key)

    def _spec(self, session, server: Server) -> InstanceSpec:
        flavor = server.flavor or {}
        layers = images.image_layers(session, self.cloud.settings, server.image_id or "")
        return InstanceSpec(
            id=server.id, name=server.name, hostname=server.hostname,
            image_id=server.image_id or "", vcpus=int(flavor.get("vcpus", 1)),
            memory_mb=int(flavor.get("ram", 512)), disk_gb=int(flavor.get("disk", 0)),
            nics=tuple(network.nic_specs(session, server.id)),
            nameservers=tuple(network.server_nameservers(session, server.id)),
            user_data=base64.b64decode(server.user_data) if server.user_data else None,
            metadata=dict(server.server_metadata or {}),
            public_keys={server.key_name: server.key_data} if server.key_data else {},
            image_layers=layers.paths, host_usr=layers.host_usr,
        )

    def fail(self, key: str, message: str) -> None:
        """A permanent failure: ERROR with a fault (a failed snapshot only fails its image)."""
        with self.cloud.db.session() as session:
            server = session.get(Server, key)
            if server is None:
                return
            snapshot_id, task = server.snapshot_image_id, server.task_state
            values = {"task_state": None, "snapshot_image_id": None}
            if task != states.IMAGE_SNAPSHOT:
                values.update(vm_state=states.ERROR, power_state=int(self.driver.power_state(key)),
                              fault={"code": 500, "message": message,
                                     "created": isotime(utcnow()),
                                     "details": f"{task or 'reconcile'} failed: {message}"})
            if not _compare_and_set(session, key, task, **values):
                return  # the desired state changed meanwhile (e.g. a delete): not a failure
            instance_actions.finish(session, key, error=message)
        if snapshot_id:
            images.fail_snapshot(self.cloud, snapshot_id, message)

    def sweep(self) -> None:
        """Destroy instances on the host that no server row names."""
        with self.cloud.db.session() as session:
            known = set(session.scalars(select(Server.id)))
        # The host may list an instance only by the fragment of its id in kernel names.
        keep = known | {names.fragment(server_id) for server_id in known}
        for instance_id in self.driver.list_instances() - keep:
            log.info("sweeping instance %s that no server names", instance_id)
            self.driver.destroy(instance_id)
