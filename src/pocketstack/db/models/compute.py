"""Nova's tables: flavors, keypairs, servers and what hangs off them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, HasId, Timestamps


class Flavor(Timestamps, Base):
    __tablename__ = "flavors"
    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    ram: Mapped[int] = mapped_column(Integer)
    disk: Mapped[int] = mapped_column(Integer)
    ephemeral: Mapped[int] = mapped_column(Integer, default=0)
    swap: Mapped[int] = mapped_column(Integer, default=0)
    rxtx_factor: Mapped[float] = mapped_column(Float, default=1.0)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    extra_specs: Mapped[dict] = mapped_column(default=dict)


class FlavorAccess(Base):
    """A project allowed to see and use a private flavor."""

    __tablename__ = "flavor_access"
    flavor_id: Mapped[str] = mapped_column(
        ForeignKey("flavors.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class Keypair(HasId, Timestamps, Base):
    __tablename__ = "keypairs"
    __table_args__ = (UniqueConstraint("user_id", "name"),)
    name: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    public_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16), default="ssh")


class Server(HasId, Timestamps, Base):
    """A server's desired and reported state.

    ``vm_state``/``task_state`` are Nova's: the API sets a transitional task (or
    ``vm_state`` building) and the server reconciler clears it once the host converged.
    ``flavor`` is a copy of the flavor at boot, so deleting a flavor never changes a server.
    The row is removed by the reconciler after the host confirmed cleanup (finaliser).
    """

    __tablename__ = "servers"
    name: Mapped[str] = mapped_column(String(255), index=True)
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    hostname: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str | None] = mapped_column(Text, default=None)
    vm_state: Mapped[str] = mapped_column(String(32), default="building", index=True)
    task_state: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    power_state: Mapped[int] = mapped_column(Integer, default=0)
    flavor_id: Mapped[str] = mapped_column(String(255))
    flavor: Mapped[dict] = mapped_column(default=dict)
    image_id: Mapped[str | None] = mapped_column(String(36), default=None)
    key_name: Mapped[str | None] = mapped_column(String(255), default=None)
    key_data: Mapped[str | None] = mapped_column(Text, default=None)
    user_data: Mapped[str | None] = mapped_column(Text, default=None)
    server_metadata: Mapped[dict] = mapped_column("metadata", default=dict)
    availability_zone: Mapped[str] = mapped_column(String(255), default="nova")
    access_ipv4: Mapped[str] = mapped_column(String(64), default="")
    access_ipv6: Mapped[str] = mapped_column(String(64), default="")
    config_drive: Mapped[str] = mapped_column(String(8), default="")
    disk_config: Mapped[str] = mapped_column(String(8), default="MANUAL")
    reservation_id: Mapped[str] = mapped_column(String(16), index=True)
    launch_index: Mapped[int] = mapped_column(Integer, default=0)
    host: Mapped[str | None] = mapped_column(String(255), default=None)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_reason: Mapped[str | None] = mapped_column(Text, default=None)
    launched_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    snapshot_image_id: Mapped[str | None] = mapped_column(String(36), default=None)
    fault: Mapped[dict | None] = mapped_column(JSON, default=None)


class ServerTag(Base):
    __tablename__ = "server_tags"
    server_id: Mapped[str] = mapped_column(
        ForeignKey("servers.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)


class ConsoleToken(Base):
    """A one-time console token: only its SHA-256 is stored; it opens one server's console."""

    __tablename__ = "console_tokens"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    server_id: Mapped[str] = mapped_column(
        ForeignKey("servers.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ServerGroup(HasId, Timestamps, Base):
    """A named set of servers with a placement policy (Nova's ``os-server-groups``).

    ``policy`` is one of affinity, anti-affinity, soft-affinity, soft-anti-affinity;
    ``rules`` holds ``max_server_per_host`` for anti-affinity (microversion 2.64).
    """

    __tablename__ = "server_groups"
    name: Mapped[str] = mapped_column(String(255))
    project_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(32))
    rules: Mapped[dict] = mapped_column(JSON, default=dict)


class ServerGroupMember(Base):
    """A server in a group; goes with the server's row or the group's."""

    __tablename__ = "server_group_members"
    group_id: Mapped[str] = mapped_column(
        ForeignKey("server_groups.id", ondelete="CASCADE"), primary_key=True
    )
    server_id: Mapped[str] = mapped_column(
        ForeignKey("servers.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class InstanceAction(HasId, Timestamps, Base):
    """One action on a server (``os-instance-actions``): who asked, with which request,
    when, and its one event (the host's part), finished by the reconciler.

    Written in the transaction that writes the desired state; no foreign key, so a
    deleted server's actions stay listable (microversion 2.21) until pruned.
    ``event`` is None for actions the API completes itself (lock, unlock, ...).
    """

    __tablename__ = "instance_actions"
    server_id: Mapped[str] = mapped_column(String(36), index=True)
    project_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text, default=None)
    event: Mapped[str | None] = mapped_column(String(64), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    result: Mapped[str | None] = mapped_column(String(16), default=None)
