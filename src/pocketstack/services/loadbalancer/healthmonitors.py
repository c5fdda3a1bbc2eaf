"""Health monitors: one per pool; HTTP or TCP checks that mark members up or down."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import new_id
from pocketstack.db.models.loadbalancer import HealthMonitor, LoadBalancer, Pool
from pocketstack.errors import BadRequest, Conflict
from pocketstack.services.context import RequestContext
from pocketstack.services.loadbalancer import common
from pocketstack.services.loadbalancer.common import (
    OFFLINE,
    PENDING_CREATE,
    PENDING_DELETE,
    PENDING_UPDATE,
)

TYPES = ("HTTP", "TCP")
OCTAVIA_TYPES = ("HTTP", "HTTPS", "PING", "SCTP", "TCP", "TLS-HELLO", "UDP-CONNECT")
HTTP_METHODS = ("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")
HTTP_FIELDS = ("http_method", "url_path", "expected_codes", "http_version", "domain_name")
HTTP_DEFAULTS = {"http_method": "GET", "url_path": "/", "expected_codes": "200"}
CODES = re.compile(r"\d{3}((-\d{3})|(,\d{3})*)")
# RFC 3986 path (and query) characters, as Octavia checks, less the quote HAProxy parses.
URL_PATH = re.compile(r"/(?:[A-Za-z0-9\-._~!$&()*+,;=:@/?]|%[0-9A-Fa-f]{2})*")
HTTP_VERSIONS = ("1.0", "1.1")
DOMAIN_NAME = re.compile(r"(?=.{1,253}$)(?:(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.)*"
                         r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\.?")
UPDATABLE = ("name", "admin_state_up", "delay", "timeout", "max_retries", "max_retries_down",
             "tags", *HTTP_FIELDS)


def list_healthmonitors(session: Session, context: RequestContext) -> list[HealthMonitor]:
    query = select(HealthMonitor).order_by(HealthMonitor.created_at, HealthMonitor.id)
    return list(session.scalars(common.scope(query, HealthMonitor, context)))


def _check(monitor: HealthMonitor) -> None:
    """The monitor's fields, once set, are coherent (Octavia's rules)."""
    if monitor.delay < 1 or monitor.timeout < 1:
        raise BadRequest("delay and timeout must be at least 1 second.")
    if monitor.timeout > monitor.delay:
        raise BadRequest("'timeout' must be less than or equal to 'delay'.")
    for name in ("max_retries", "max_retries_down"):
        if not 1 <= getattr(monitor, name) <= 10:
            raise BadRequest(f"{name} must be between 1 and 10.")
    if monitor.type != "HTTP":
        return
    common.one_of(monitor.http_method, HTTP_METHODS, "http_method")
    if not URL_PATH.fullmatch(monitor.url_path):
        raise BadRequest(f"Invalid input for field/attribute url_path. Value: "
                         f"{monitor.url_path!r}. URL path must start with '/' and hold only "
                         f"RFC 3986 path characters.")
    if not CODES.fullmatch(monitor.expected_codes):
        raise BadRequest(f"Invalid input for field/attribute expected_codes. Value: "
                         f"{monitor.expected_codes!r}. Use a code (200), a list (200,202) or "
                         f"a range (200-204).")
    if monitor.http_version is not None:
        common.one_of(monitor.http_version, HTTP_VERSIONS, "http_version")
    if monitor.domain_name is not None and not DOMAIN_NAME.fullmatch(monitor.domain_name):
        raise BadRequest(f"Invalid input for field/attribute domain_name. Value: "
                         f"{monitor.domain_name!r}. Give a host name (example.com).")
    if monitor.domain_name and monitor.http_version != "1.1":
        raise BadRequest("domain_name needs http_version 1.1.")


def _http_fields(monitor_type: str, fields: dict) -> dict:
    if monitor_type == "HTTP":
        return {**HTTP_DEFAULTS, **{k: fields[k] for k in HTTP_FIELDS
                                    if fields.get(k) is not None}}
    given = [k for k in HTTP_FIELDS if fields.get(k) is not None]
    if given:
        raise BadRequest(f"{', '.join(given)} can only be set on HTTP health monitors.")
    return {}


def create_healthmonitor(session: Session, context: RequestContext,
                         fields: dict) -> HealthMonitor:
    pool = common.owned(session, context, Pool, fields.pop("pool_id"))
    common.plain_text(fields)
    taken = session.scalar(select(HealthMonitor.id).where(HealthMonitor.pool_id == pool.id))
    if taken:
        raise Conflict(f"This pool already has a health monitor ({taken}).")
    monitor_type = common.one_of(fields.pop("type"), OCTAVIA_TYPES, "type")
    if monitor_type not in TYPES:
        raise BadRequest(f"Health monitor type {monitor_type} is not supported by provider "
                         f"{common.PROVIDER}; use one of {', '.join(TYPES)}.")
    http = _http_fields(monitor_type, fields)
    monitor = HealthMonitor(
        id=new_id(), project_id=pool.project_id, pool_id=pool.id, type=monitor_type,
        provisioning_status=PENDING_CREATE, operating_status=OFFLINE, **http,
        **{k: v for k, v in fields.items()
           if k in UPDATABLE and k not in HTTP_FIELDS and v is not None})
    monitor.max_retries_down = monitor.max_retries_down or 3
    _check(monitor)
    common.check_quota(session, pool.project_id, "health_monitor")
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id))
    session.add(monitor)
    session.flush()
    return monitor


def update_healthmonitor(session: Session, context: RequestContext, monitor_id: str,
                         changes: dict) -> HealthMonitor:
    monitor = common.owned(session, context, HealthMonitor, monitor_id)
    pool = session.get(Pool, monitor.pool_id)
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id))
    if monitor.type != "HTTP":
        _http_fields(monitor.type, changes)
    common.set_fields(monitor, {k: v for k, v in changes.items() if v is not None}, UPDATABLE)
    _check(monitor)
    monitor.provisioning_status = PENDING_UPDATE
    return monitor


def delete_healthmonitor(session: Session, context: RequestContext, monitor_id: str) -> None:
    monitor = common.owned(session, context, HealthMonitor, monitor_id)
    pool = session.get(Pool, monitor.pool_id)
    common.begin_change(session.get(LoadBalancer, pool.loadbalancer_id))
    monitor.provisioning_status = PENDING_DELETE
