"""Checks a group must pass before it is written: template, bounds, metric, pool.

Each check runs as ``context``: the caller at create, the group's acting user
(``lifecycle.acting_for``: its creator, whom its servers boot as) at update, so a group can
only name images, flavors, networks, security groups, keys and pools that its servers may
use.
"""

from __future__ import annotations

import base64
import binascii
import math
import re

from sqlalchemy.orm import Session

from pocketstack.db.models.network import Subnet
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.autoscaling import metric_target, patterns, pool
from pocketstack.services.compute import boot
from pocketstack.services.context import RequestContext
from pocketstack.services.image import for_compute as images
from pocketstack.services.network import common
from pocketstack.services.network import for_compute as network

METRIC_TYPES = ("loadbalancer_connections", "loadbalancer_request_rate", "http_regex", "cpu")
LOADBALANCER_METRICS = METRIC_TYPES[:2]
MAX_SIZE = 100
MAX_SECONDS = 86400.0
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
TEMPLATE_KEYS = ("image_id", "flavor_id", "networks", "security_groups", "key_name",
                 "user_data", "metadata")


def check_name(name: str) -> str:
    """Group names prefix server names (``<name>-<6 hex>``), so they must make good ones."""
    if not isinstance(name, str) or not NAME.match(name):
        raise BadRequest("Invalid group name: 1 to 63 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit.")
    return name


def check_bounds(min_size: int, max_size: int) -> None:
    if min_size < 0 or max_size < 1:
        raise BadRequest("min_size must be 0 or more and max_size 1 or more.")
    if min_size > max_size:
        raise BadRequest(f"min_size ({min_size}) must not exceed max_size ({max_size}).")
    if max_size > MAX_SIZE:
        raise BadRequest(f"max_size must be at most {MAX_SIZE}.")


def check_seconds(field: str, value: float) -> float:
    if not 0 <= value <= MAX_SECONDS:
        raise BadRequest(f"{field} must be between 0 and {MAX_SECONDS:g} seconds.")
    return float(value)


def check_metric(session: Session, context: RequestContext, metric: dict | None,
                 load_balancer: dict | None) -> dict | None:
    """A valid metric (type, target > 0; for http_regex a url at a floating IP of the
    project or of its load balancer, and a regex the cloud agrees to run)."""
    if metric is None:
        return None
    kind, target = metric.get("type"), metric.get("target")
    if kind not in METRIC_TYPES:
        raise BadRequest(f"Unknown metric type {kind!r}; use one of {', '.join(METRIC_TYPES)}.")
    if not isinstance(target, int | float) or isinstance(target, bool) \
            or not math.isfinite(target) or target <= 0:
        raise BadRequest("The metric's target (per server) must be a number above 0.")
    checked = {"type": kind, "target": float(target)}
    if kind == "http_regex":
        url = metric_target.check_url(metric.get("url"))
        checked.update(url=url, regex=patterns.check(metric.get("regex")))
        metric_target.check_owned(session, context, load_balancer, url)
    elif metric.get("url") is not None or metric.get("regex") is not None:
        raise BadRequest("url and regex belong to http_regex metrics only.")
    if kind in LOADBALANCER_METRICS and load_balancer is None:
        raise BadRequest(f"A {kind} metric needs the group's load_balancer (a pool to join).")
    return checked


def check_template(session: Session, context: RequestContext, template: dict) -> dict:
    """Validate the server template as ``POST /servers`` would; returns what is stored."""
    flavor = boot.flavor_for_boot(session, context, str(template["flavor_id"]))
    image = images.image_for_boot(session, context, template["image_id"])
    boot.check_image_fits(flavor, image.min_ram, image.min_disk)
    if template.get("key_name"):
        _check_key(session, context, template["key_name"])
    boot.check_metadata(session, context.require_project(), template.get("metadata") or {})
    networks = template.get("networks")
    if networks is not None and any(set(item) - {"uuid"} for item in networks):
        raise BadRequest("Template networks are {\"uuid\": ...} only: every server gets its "
                         "own port and address.")
    groups = template.get("security_groups")
    names = [item["name"] for item in groups] if groups is not None else None
    network.plan_server_nics(session, context, networks, names, count=0)
    _check_user_data(template.get("user_data"))
    stored = {key: template.get(key) for key in TEMPLATE_KEYS}
    stored.update(flavor_id=flavor.id, metadata=dict(template.get("metadata") or {}))
    return stored


def _check_key(session: Session, context: RequestContext, key_name: str) -> None:
    try:
        boot.keypair_for_boot(session, context, key_name)
    except BadRequest:
        raise BadRequest(f"Invalid key_name provided: {key_name!r} is not a key pair of user "
                         f"{context.user_id}, the group's creator, whom its servers boot as "
                         "(key pairs belong to users).") from None


def _check_user_data(value: str | None) -> None:
    if value is None:
        return
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("The template's user_data must be base64.") from None


def check_load_balancer(session: Session, context: RequestContext,
                        load_balancer: dict | None) -> dict | None:
    if load_balancer is None:
        return None
    port = load_balancer.get("protocol_port")
    if not isinstance(port, int) or not 1 <= port <= 65535:
        raise BadRequest("load_balancer.protocol_port must be a port number (1-65535).")
    subnet_id = load_balancer.get("subnet_id")
    if subnet_id is not None:
        try:
            common.visible(session, context, Subnet, subnet_id)
        except NotFound:
            raise BadRequest(f"Subnet {subnet_id} could not be found.") from None
    pool.check_pool(session, context, load_balancer["pool_id"])
    return {"pool_id": load_balancer["pool_id"], "protocol_port": port, "subnet_id": subnet_id}
