"""Stand-ins for the reconciler tests: a settable metric and a pool members service."""

from __future__ import annotations

import itertools
import sys
import types
import uuid

from pocketstack.errors import NotFound


class FakeMetrics:
    """``value`` is what the metric reads (an Exception instance: unreadable);
    ``sessions`` maps member IDs to their current sessions."""

    def __init__(self, value: float | Exception | None = 0.0) -> None:
        self.value = value
        self.sessions: dict[str, int] = {}
        self.reads = 0

    def read(self, source) -> float:
        from pocketstack.agent.metrics import MetricUnavailable

        self.reads += 1
        if isinstance(self.value, Exception):
            raise MetricUnavailable(str(self.value))
        return self.value

    def member_sessions(self, source) -> dict[str, int | None] | None:
        return dict(self.sessions)


class FakeMembers:
    """The contract's ``services.loadbalancer.members`` functions over a dict."""

    def __init__(self, pools: tuple[str, ...] = ("pool-1",)) -> None:
        self.members: dict[str, dict] = {}
        self.pools = set(pools)
        self.calls: list[tuple] = []
        self._order = itertools.count()

    def _pool(self, pool_id: str) -> None:
        if pool_id not in self.pools:
            raise NotFound(f"Pool {pool_id} could not be found.")

    def create_member(self, session, context, pool_id, *, address, protocol_port,
                      subnet_id=None, name="", weight=1) -> dict:
        self._pool(pool_id)
        member = {"id": str(uuid.uuid4()), "pool_id": pool_id, "address": address,
                  "protocol_port": protocol_port, "subnet_id": subnet_id, "name": name,
                  "weight": weight, "admin_state_up": True, "order": next(self._order)}
        self.members[member["id"]] = member
        self.calls.append(("create", member["id"]))
        return member

    def update_member(self, session, context, pool_id, member_id, *, weight=None,
                      admin_state_up=None) -> dict:
        member = self._member(pool_id, member_id)
        if weight is not None:
            member["weight"] = weight
        if admin_state_up is not None:
            member["admin_state_up"] = admin_state_up
        self.calls.append(("update", member_id))
        return member

    def delete_member(self, session, context, pool_id, member_id) -> None:
        self._member(pool_id, member_id)
        del self.members[member_id]
        self.calls.append(("delete", member_id))

    def list_members(self, session, context, pool_id) -> list[dict]:
        self._pool(pool_id)
        return [m for m in self.members.values() if m["pool_id"] == pool_id]

    def loadbalancer_of_pool(self, session, context, pool_id) -> str | None:
        return f"lb-of-{pool_id}" if pool_id in self.pools else None

    def _member(self, pool_id, member_id) -> dict:
        self._pool(pool_id)
        if member_id not in self.members:
            raise NotFound(f"Member {member_id} could not be found.")
        return self.members[member_id]

    def install(self, monkeypatch) -> FakeMembers:
        """Serve this stand-in as ``pocketstack.services.loadbalancer.members``."""
        module = types.ModuleType("pocketstack.services.loadbalancer.members")
        for name in ("create_member", "update_member", "delete_member", "list_members",
                     "loadbalancer_of_pool"):
            setattr(module, name, getattr(self, name))
        package = types.ModuleType("pocketstack.services.loadbalancer")
        package.members = module
        monkeypatch.setitem(sys.modules, "pocketstack.services.loadbalancer", package)
        monkeypatch.setitem(sys.modules, "pocketstack.services.loadbalancer.members", module)
        return self
