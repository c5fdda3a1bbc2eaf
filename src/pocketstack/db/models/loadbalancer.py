"""Octavia's tables: load balancers, listeners, pools, members and health monitors.

A load balancer and everything under it converge as one unit on the host (one HAProxy).
The API writes a ``PENDING_*`` ``provisioning_status`` on the changed object and
``PENDING_UPDATE`` on its load balancer (which is then immutable through the API: 409
until the agent is done) and bumps its ``generation``; the agent applies the whole load
balancer, sets ``ACTIVE`` (or ``ERROR``) if the generation it applied is still the
current one, and removes the rows left in ``PENDING_DELETE``. ``operating_status`` is the agent's report of
what the host sees (health checks).
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pocketstack.db.base import Base, HasId, Owned, Timestamps


class LbAttrs(HasId, Owned, Timestamps):
    """What every Octavia object has: names, tags, admin state and the two statuses."""

    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list] = mapped_column(default=list)
    admin_state_up: Mapped[bool] = mapped_column(Boolean, default=True)
    provisioning_status: Mapped[str] = mapped_column(String(16), default="PENDING_CREATE",
                                                     index=True)
    operating_status: Mapped[str] = mapped_column(String(16), default="OFFLINE")


class LoadBalancer(LbAttrs, Base):
    __tablename__ = "lb_loadbalancers"
    vip_address: Mapped[str] = mapped_column(String(64), default="")
    vip_port_id: Mapped[str] = mapped_column(String(36), default="", index=True)
    vip_subnet_id: Mapped[str] = mapped_column(String(36), default="")
    vip_network_id: Mapped[str] = mapped_column(String(36), default="")
    provider: Mapped[str] = mapped_column(String(64), default="haproxy")
    # Bumped by every change of it or its children: the agent applies a spec read at one
    # generation and reports ACTIVE only if no change came in meanwhile.
    generation: Mapped[int] = mapped_column(Integer, default=1)
    # Why the agent put it in ERROR (shown in logs and the status tree's absence of ACTIVE).
    fault: Mapped[str | None] = mapped_column(Text, default=None)


class Listener(LbAttrs, Base):
    __tablename__ = "lb_listeners"
    loadbalancer_id: Mapped[str] = mapped_column(
        ForeignKey("lb_loadbalancers.id", ondelete="CASCADE"), index=True)
    protocol: Mapped[str] = mapped_column(String(16))
    protocol_port: Mapped[int] = mapped_column(Integer)
    connection_limit: Mapped[int] = mapped_column(Integer, default=-1)
    default_pool_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    timeout_client_data: Mapped[int] = mapped_column(Integer, default=50000)
    timeout_member_connect: Mapped[int] = mapped_column(Integer, default=5000)
    timeout_member_data: Mapped[int] = mapped_column(Integer, default=50000)
    timeout_tcp_inspect: Mapped[int] = mapped_column(Integer, default=0)
    insert_headers: Mapped[dict] = mapped_column(default=dict)
    allowed_cidrs: Mapped[list | None] = mapped_column(default=None)


class Pool(LbAttrs, Base):
    __tablename__ = "lb_pools"
    loadbalancer_id: Mapped[str] = mapped_column(
        ForeignKey("lb_loadbalancers.id", ondelete="CASCADE"), index=True)
    protocol: Mapped[str] = mapped_column(String(16))
    lb_algorithm: Mapped[str] = mapped_column(String(32))
    session_persistence: Mapped[dict | None] = mapped_column(default=None)


class Member(LbAttrs, Base):
    __tablename__ = "lb_members"
    __table_args__ = (UniqueConstraint("pool_id", "address", "protocol_port"),)
    pool_id: Mapped[str] = mapped_column(ForeignKey("lb_pools.id", ondelete="CASCADE"),
                                         index=True)
    address: Mapped[str] = mapped_column(String(64))
    protocol_port: Mapped[int] = mapped_column(Integer)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    backup: Mapped[bool] = mapped_column(Boolean, default=False)
    subnet_id: Mapped[str | None] = mapped_column(String(36), default=None)
    monitor_address: Mapped[str | None] = mapped_column(String(64), default=None)
    monitor_port: Mapped[int | None] = mapped_column(Integer, default=None)


class HealthMonitor(LbAttrs, Base):
    __tablename__ = "lb_healthmonitors"
    pool_id: Mapped[str] = mapped_column(ForeignKey("lb_pools.id", ondelete="CASCADE"),
                                         unique=True)
    type: Mapped[str] = mapped_column(String(16))
    delay: Mapped[int] = mapped_column(Integer)
    timeout: Mapped[int] = mapped_column(Integer)
    max_retries: Mapped[int] = mapped_column(Integer)
    max_retries_down: Mapped[int] = mapped_column(Integer, default=3)
    http_method: Mapped[str | None] = mapped_column(String(16), default=None)
    url_path: Mapped[str | None] = mapped_column(String(255), default=None)
    expected_codes: Mapped[str | None] = mapped_column(String(64), default=None)
    http_version: Mapped[str | None] = mapped_column(String(8), default=None)
    domain_name: Mapped[str | None] = mapped_column(String(255), default=None)
