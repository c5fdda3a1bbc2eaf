"""The life of a group's servers, one step per call, each inside the caller's transaction.

The scaling reconciler calls these; together with ``decide`` they are all it does to the
state store. A server goes booting → in_service (ACTIVE; a pool member when the group has
a pool) → draining (member at weight 0) → deleting (member removed, server delete asked)
→ forgotten once the server row is gone. Every step is an event with its reason.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.autoscaling import ScalingGroup, ScalingServer
from pocketstack.db.models.compute import Server
from pocketstack.db.models.network import Subnet
from pocketstack.errors import CloudError
from pocketstack.services.autoscaling import events, pool
from pocketstack.services.compute import server_states, servers
from pocketstack.services.compute.boot import BootRequest
from pocketstack.services.context import RequestContext
from pocketstack.services.network import for_compute as network

BOOTING, IN_SERVICE, DRAINING, DELETING = "booting", "in_service", "draining", "deleting"
LIVE = (BOOTING, IN_SERVICE)


def acting_for(group: ScalingGroup) -> RequestContext:
    """The group acts as its creator, a member of its project: quotas and visibility
    apply to its servers as to theirs."""
    return RequestContext(user_id=group.user_id, user_name="autoscaling", domain_id="default",
                          project_id=group.project_id, project_name=None,
                          roles=frozenset({"member"}))


def rows_of(session: Session, group_id: str) -> list[ScalingServer]:
    return list(session.scalars(select(ScalingServer).where(ScalingServer.group_id == group_id)
                                .order_by(ScalingServer.created_at, ScalingServer.server_id)))


def launch(session: Session, group: ScalingGroup) -> ScalingServer:
    """Create one server from the template, through the same checks as ``POST /servers``
    (quota included). Raises the compute service's CloudError when it cannot."""
    template = group.server_template
    name = f"{group.name}-{secrets.token_hex(3)}"
    groups = template.get("security_groups")
    request = BootRequest(
        name=name, flavor_ref=template["flavor_id"], image_id=template["image_id"],
        networks=template.get("networks"), key_name=template.get("key_name"),
        security_groups=[g["name"] for g in groups] if groups is not None else None,
        user_data=template.get("user_data"),
        metadata={**(template.get("metadata") or {}), "scaling_group": group.id})
    server = servers.create_servers(session, acting_for(group), request)[0]
    row = ScalingServer(server_id=server.id, group_id=group.id, name=name, state=BOOTING)
    session.add(row)
    events.record(session, group, "server_create", f"server {name} created to reach size "
                  f"{group.desired_size}", to_size=group.desired_size)
    return row


def follow(session: Session, group: ScalingGroup, sessions: dict[str, int | None] | None,
           now: datetime) -> None:
    """Move each server of ``group`` one step: join the pool when ACTIVE, finish drains
    (``sessions``: member ID → current sessions, None when unknown or while the member
    may still be given new ones; the whole map None when unknown), forget deleted
    servers, replace failed or vanished ones."""
    rows = rows_of(session, group.id)
    found = {s.id: s for s in session.scalars(
        select(Server).where(Server.id.in_([r.server_id for r in rows])))}
    for row in rows:
        server = found.get(row.server_id)
        if row.state == DELETING:
            if server is None:
                session.delete(row)
        elif server is None or server.task_state == server_states.DELETING:
            _lost(session, group, row, "was deleted outside the group")
        elif server.vm_state == server_states.ERROR:
            fault = (server.fault or {}).get("message", "no fault recorded")
            _retire(session, group, row, f"server {row.name} failed ({fault}): replacing it",
                    "error")
        elif row.state == BOOTING and server.vm_state == server_states.ACTIVE:
            _join(session, group, row)
        elif row.state == DRAINING:
            _finish_drain(session, group, row, sessions, now)


def _lost(session: Session, group: ScalingGroup, row: ScalingServer, why: str) -> None:
    _leave_pool(session, group, row)
    events.record(session, group, "server_delete", f"server {row.name} {why}")
    row.state = DELETING


def _join(session: Session, group: ScalingGroup, row: ScalingServer) -> None:
    row.state = IN_SERVICE
    if not group.load_balancer:
        return
    address = address_of(session, row.server_id, group.load_balancer.get("subnet_id"))
    if address is None:
        events.record(session, group, "error", f"server {row.name} has no address to join "
                      "the pool with")
        return
    row.member_id = pool.add_member(session, acting_for(group), group.load_balancer,
                                    address=address, name=row.name)
    if row.member_id is None:
        events.record(session, group, "error", f"server {row.name} is ACTIVE but pool "
                      f"{group.load_balancer['pool_id']} is gone: it joins no pool (recreate the "
                      "group with a pool that exists)")
        return
    events.record(session, group, "member_join", f"server {row.name} is ACTIVE: member "
                  f"{address}:{group.load_balancer['protocol_port']} joins pool "
                  f"{group.load_balancer['pool_id']}")


def address_of(session: Session, server_id: str, subnet_id: str | None) -> str | None:
    """The server's fixed IP, on ``subnet_id`` when given."""
    nics = network.nic_specs(session, server_id)
    if subnet_id is not None:
        subnet = session.get(Subnet, subnet_id)
        cidr = ipaddress.ip_network(subnet.cidr) if subnet else None
        nics = [n for n in nics if cidr and ipaddress.ip_address(n.ip_address) in cidr]
    return nics[0].ip_address if nics else None


def shrink(session: Session, group: ScalingGroup, now: datetime) -> int:
    """Take servers out of service until the live ones are ``desired_size``, newest first
    (a pool member drains first). Returns how many servers are missing instead."""
    live = [row for row in rows_of(session, group.id) if row.state in LIVE]
    excess = len(live) - group.desired_size
    if excess <= 0:
        return -excess
    victims = sorted(live, key=lambda row: (row.created_at, row.server_id), reverse=True)
    for row in victims[:excess]:
        if row.member_id:
            pool.drain_member(session, acting_for(group), group.load_balancer["pool_id"],
                              row.member_id)
            row.state, row.drain_started_at = DRAINING, now
            events.record(session, group, "member_drain", f"scale-in: server {row.name} (the "
                          f"newest) drains for at most {group.drain_timeout:g} s")
        else:
            _retire(session, group, row, f"scale-in: server {row.name} (the newest) deleted",
                    "server_delete")
    return 0


def _finish_drain(session: Session, group: ScalingGroup, row: ScalingServer,
                  sessions: dict[str, int | None] | None, now: datetime) -> None:
    # a member the load balancer's stats do not show carries no session; before its
    # weight 0 is applied, no count says anything about the drain
    applied = pool.drain_applied(session, acting_for(group), group.load_balancer["pool_id"],
                                 row.member_id)
    left = None if sessions is None or not applied else sessions.get(row.member_id, 0)
    waited = (now - (row.drain_started_at or now)).total_seconds()
    if left == 0:
        why = f"member of server {row.name} drained: no session left after {waited:.1f} s"
    elif waited >= group.drain_timeout:
        why = (f"member of server {row.name} removed after the drain timeout "
               f"({group.drain_timeout:g} s) with {'unknown' if left is None else left} "
               "sessions left")
    else:
        return
    events.record(session, group, "member_remove", why)
    _retire(session, group, row, f"server {row.name} deleted after its drain", "server_delete")


def _leave_pool(session: Session, group: ScalingGroup, row: ScalingServer) -> None:
    if row.member_id and group.load_balancer:
        pool.remove_member(session, acting_for(group), group.load_balancer["pool_id"],
                           row.member_id)
        row.member_id = None


def _retire(session: Session, group: ScalingGroup, row: ScalingServer, reason: str,
            action: str) -> None:
    """Remove the server's member (if any) and ask for the server's delete."""
    _leave_pool(session, group, row)
    try:
        servers.delete_server(session, acting_for(group), row.server_id)
    except CloudError as exc:
        events.record(session, group, "error", f"server {row.name} could not be deleted: "
                      f"{exc.message}")
        return
    events.record(session, group, action, reason)
    row.state = DELETING
