"""What compute asks of the network service when it builds and removes servers.

Compute never reads network tables itself; it calls these (the network service owns
them). Every function runs inside the caller's transaction (``session``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pocketstack.drivers.compute.base import NicSpec
from pocketstack.services.context import RequestContext


@dataclass(frozen=True)
class NicRequest:
    """One NIC a new server asked for, already validated."""

    network_id: str
    port_id: str | None = None  # an existing port to bind, else a new one is made
    fixed_ip: str | None = None
    security_group_ids: tuple[str, ...] = field(default=())


def plan_server_nics(
    session: Session,
    context: RequestContext,
    networks: list[dict] | str | None,
    security_groups: list[str] | None,
    count: int = 1,
) -> list[NicRequest]:
    """Validate a server's requested NICs before anything is written.

    ``networks`` is Nova's ``networks`` value: a list of ``{"uuid"|"port"|"fixed_ip"}``,
    ``"auto"``, ``"none"``, or None (not given). With None or "auto": the one network the
    project can use (its own or shared, not external) — several is Conflict ("Multiple
    possible networks found, use a Network ID to be more specific."), none is no NIC.
    ``security_groups`` are names or IDs (None → the project's ``default`` group, made on
    demand). Unknown network/port/group → BadRequest; quota for ``count`` servers' ports
    is checked here.
    """
    raise NotImplementedError


def create_server_ports(
    session: Session, context: RequestContext, server_id: str, nics: list[NicRequest]
) -> list[str]:
    """Make (or bind) one port per NIC with device_id=server_id, device_owner "compute:nova".

    Returns the port IDs in NIC order. Addresses are allocated here, at once, so the API
    can show them while the server builds.
    """
    raise NotImplementedError


def nic_specs(session: Session, server_id: str) -> list[NicSpec]:
    """The server's NICs as the compute driver wants them (MAC, IP, prefix, gateway)."""
    raise NotImplementedError


def server_addresses(session: Session, server_ids: list[str]) -> dict[str, dict[str, list[dict]]]:
    """Nova's ``addresses`` for each server: network name → list of
    ``{"addr", "version", "OS-EXT-IPS:type": "fixed"|"floating", "OS-EXT-IPS-MAC:mac_addr"}``.
    One query for all ``server_ids`` (list views call it once per page)."""
    raise NotImplementedError


def server_security_groups(session: Session, server_ids: list[str]) -> dict[str, list[str]]:
    """Security group names of each server's ports (deduplicated, sorted)."""
    raise NotImplementedError


def release_server_ports(session: Session, server_id: str) -> None:
    """When a server is deleted: delete the ports compute made, unbind ports the user
    gave, and disassociate floating IPs from them. Idempotent."""
    raise NotImplementedError
