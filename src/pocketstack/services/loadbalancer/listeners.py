"""Listeners: a protocol and port on the VIP, sent to a default pool."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import new_id
from pocketstack.db.models.loadbalancer import Listener, LoadBalancer, Pool
from pocketstack.errors import BadRequest, Conflict
from pocketstack.services.context import RequestContext
from pocketstack.services.loadbalancer import common
from pocketstack.services.loadbalancer.common import (
    OFFLINE,
    PENDING_CREATE,
    PENDING_DELETE,
    PENDING_UPDATE,
)

PROTOCOLS = ("HTTP", "TCP")
OCTAVIA_PROTOCOLS = ("HTTP", "HTTPS", "TCP", "TERMINATED_HTTPS", "UDP", "SCTP", "PROMETHEUS")
# Pool protocols each listener protocol can send to.
POOL_PROTOCOLS = {"HTTP": ("HTTP",), "TCP": ("TCP", "HTTP")}
TIMEOUTS = ("timeout_client_data", "timeout_member_connect", "timeout_member_data",
            "timeout_tcp_inspect")
UPDATABLE = ("name", "description", "admin_state_up", "connection_limit", "insert_headers",
             "allowed_cidrs", "tags", *TIMEOUTS)
HEADERS = ("X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto")


def list_listeners(session: Session, context: RequestContext) -> list[Listener]:
    query = select(Listener).order_by(Listener.created_at, Listener.id)
    return list(session.scalars(common.scope(query, Listener, context)))


def protocol(value: str) -> str:
    common.one_of(value, OCTAVIA_PROTOCOLS, "protocol")
    if value not in PROTOCOLS:
        raise BadRequest(f"Protocol {value} is not supported by provider {common.PROVIDER}; "
                         f"use one of {', '.join(PROTOCOLS)}.")
    return value


def check_pool(session: Session, listener: Listener, pool_id: str | None) -> None:
    """``pool_id`` may be ``listener``'s default pool: same load balancer, fitting protocol."""
    if pool_id is None:
        return
    pool = session.get(Pool, pool_id)
    if pool is None or pool.loadbalancer_id != listener.loadbalancer_id or (
            pool.provisioning_status == PENDING_DELETE):
        raise BadRequest(f"Pool {pool_id} is not a pool of load balancer "
                         f"{listener.loadbalancer_id}.")
    if pool.protocol not in POOL_PROTOCOLS[listener.protocol]:
        raise BadRequest(f"The pool protocol '{pool.protocol}' is invalid while the listener "
                         f"protocol is '{listener.protocol}'.")


def _check(fields: dict) -> dict:
    if fields.get("connection_limit", -1) < -1:
        raise BadRequest("connection_limit must be -1 (unlimited) or more.")
    for name in TIMEOUTS:
        if fields.get(name) is not None and not 0 <= fields[name] <= 31536000000:
            raise BadRequest(f"{name} must be between 0 and 31536000000 ms.")
    for header in fields.get("insert_headers") or {}:
        if header not in HEADERS:
            raise BadRequest(f"Header {header} is not supported in insert_headers; use "
                             f"{', '.join(HEADERS)}.")
    for cidr in fields.get("allowed_cidrs") or []:
        try:
            ipaddress.ip_network(cidr)
        except ValueError:
            raise BadRequest(f"Invalid input for allowed_cidrs: {cidr} is not a CIDR.") from None
    return {k: v for k, v in fields.items() if v is not None or k == "allowed_cidrs"}


def create_listener(session: Session, context: RequestContext, fields: dict) -> Listener:
    lb = common.owned(session, context, LoadBalancer, fields.pop("loadbalancer_id"))
    common.plain_text(fields)
    project_id = lb.project_id  # children belong to their load balancer's project
    wanted_protocol = protocol(fields.pop("protocol"))
    port = common.port_number(fields.pop("protocol_port"))
    taken = session.scalar(select(Listener.id).where(
        Listener.loadbalancer_id == lb.id, Listener.protocol_port == port,
        Listener.provisioning_status != PENDING_DELETE))
    if taken:
        raise Conflict(f"Another Listener on this Load Balancer is already using protocol "
                       f"{wanted_protocol} and protocol_port {port}")
    common.check_quota(session, project_id, "listener")
    pool_id = fields.pop("default_pool_id", None)
    listener = Listener(id=new_id(), project_id=project_id, loadbalancer_id=lb.id,
                        protocol=wanted_protocol, protocol_port=port,
                        provisioning_status=PENDING_CREATE, operating_status=OFFLINE,
                        **_check(fields))
    check_pool(session, listener, pool_id)
    listener.default_pool_id = pool_id
    common.begin_change(lb)
    session.add(listener)
    session.flush()
    return listener


def update_listener(session: Session, context: RequestContext, listener_id: str,
                    changes: dict) -> Listener:
    listener = common.owned(session, context, Listener, listener_id)
    lb = session.get(LoadBalancer, listener.loadbalancer_id)
    common.begin_change(lb)
    if "default_pool_id" in changes:
        check_pool(session, listener, changes["default_pool_id"])
        listener.default_pool_id = changes["default_pool_id"]
    common.set_fields(listener, _check(changes), UPDATABLE)
    listener.provisioning_status = PENDING_UPDATE
    return listener


def delete_listener(session: Session, context: RequestContext, listener_id: str) -> None:
    listener = common.owned(session, context, Listener, listener_id)
    common.begin_change(session.get(LoadBalancer, listener.loadbalancer_id))
    listener.provisioning_status = PENDING_DELETE
