"""Octavia v2's JSON shapes of each object, a page at a time (one query per related kind).

They live with the services because other services (autoscaling) receive members in this
shape from ``members.py``; the API renders with the same functions.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.base import isotime
from pocketstack.db.models.loadbalancer import HealthMonitor, Listener, Member, Pool


def _common(row) -> dict:
    return {
        "id": row.id,
        "name": row.name,
        "description": row.description,
        "project_id": row.project_id,
        "admin_state_up": row.admin_state_up,
        "provisioning_status": row.provisioning_status,
        "operating_status": row.operating_status,
        "created_at": isotime(row.created_at),
        "updated_at": isotime(row.updated_at),
        "tags": list(row.tags or []),
    }


def _ids_by(session: Session, column, key_column, keys: list[str]) -> dict[str, list[dict]]:
    """``{key: [{"id": ...}]}`` for the rows whose ``key_column`` is in ``keys``."""
    found: dict[str, list[dict]] = defaultdict(list)
    if keys:
        query = select(key_column, column).where(key_column.in_(keys)).order_by(column)
        for key, value in session.execute(query):
            found[key].append({"id": value})
    return found


def loadbalancers(session: Session, rows: list) -> list[dict]:
    ids = [row.id for row in rows]
    listeners = _ids_by(session, Listener.id, Listener.loadbalancer_id, ids)
    pools = _ids_by(session, Pool.id, Pool.loadbalancer_id, ids)
    return [{
        **_common(row),
        "vip_address": row.vip_address,
        "vip_port_id": row.vip_port_id,
        "vip_subnet_id": row.vip_subnet_id,
        "vip_network_id": row.vip_network_id,
        "vip_qos_policy_id": None,
        "vip_vnic_type": "normal",
        "vip_sg_ids": [],
        "additional_vips": [],
        "provider": row.provider,
        "flavor_id": None,
        "availability_zone": None,
        "listeners": listeners[row.id],
        "pools": pools[row.id],
    } for row in rows]


def listeners(_session: Session, rows: list) -> list[dict]:
    return [{
        **_common(row),
        "protocol": row.protocol,
        "protocol_port": row.protocol_port,
        "connection_limit": row.connection_limit,
        "default_pool_id": row.default_pool_id,
        "loadbalancers": [{"id": row.loadbalancer_id}],
        "l7policies": [],
        "insert_headers": dict(row.insert_headers or {}),
        "timeout_client_data": row.timeout_client_data,
        "timeout_member_connect": row.timeout_member_connect,
        "timeout_member_data": row.timeout_member_data,
        "timeout_tcp_inspect": row.timeout_tcp_inspect,
        "allowed_cidrs": list(row.allowed_cidrs) if row.allowed_cidrs is not None else None,
        "default_tls_container_ref": None,
        "sni_container_refs": [],
        "client_ca_tls_container_ref": None,
        "client_authentication": "NONE",
        "client_crl_container_ref": None,
        "tls_ciphers": None,
        "tls_versions": None,
        "alpn_protocols": None,
        "hsts_max_age": None,
        "hsts_include_subdomains": False,
        "hsts_preload": False,
    } for row in rows]


def pools(session: Session, rows: list) -> list[dict]:
    ids = [row.id for row in rows]
    listeners_of = _ids_by(session, Listener.id, Listener.default_pool_id, ids)
    members_of = _ids_by(session, Member.id, Member.pool_id, ids)
    monitors = {pool_id: monitor_id for pool_id, monitor_id in session.execute(
        select(HealthMonitor.pool_id, HealthMonitor.id).where(HealthMonitor.pool_id.in_(ids)))}
    return [{
        **_common(row),
        "protocol": row.protocol,
        "lb_algorithm": row.lb_algorithm,
        "session_persistence": row.session_persistence,
        "loadbalancers": [{"id": row.loadbalancer_id}],
        "listeners": listeners_of[row.id],
        "members": members_of[row.id],
        "healthmonitor_id": monitors.get(row.id),
        "tls_enabled": False,
        "tls_container_ref": None,
        "ca_tls_container_ref": None,
        "crl_container_ref": None,
        "tls_ciphers": None,
        "tls_versions": None,
        "alpn_protocols": None,
    } for row in rows]


def members(_session: Session, rows: list) -> list[dict]:
    return [{
        **_common(row),
        "address": row.address,
        "protocol_port": row.protocol_port,
        "weight": row.weight,
        "backup": row.backup,
        "subnet_id": row.subnet_id,
        "monitor_address": row.monitor_address,
        "monitor_port": row.monitor_port,
        "vnic_type": "normal",
    } for row in rows]


def healthmonitors(_session: Session, rows: list) -> list[dict]:
    return [{
        **_common(row),
        "type": row.type,
        "delay": row.delay,
        "timeout": row.timeout,
        "max_retries": row.max_retries,
        "max_retries_down": row.max_retries_down,
        "http_method": row.http_method,
        "url_path": row.url_path,
        "expected_codes": row.expected_codes,
        "http_version": float(row.http_version) if row.http_version else None,
        "domain_name": row.domain_name,
        "pools": [{"id": row.pool_id}],
    } for row in rows]
