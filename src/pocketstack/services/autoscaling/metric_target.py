"""Where an ``http_regex`` metric may point: only at the group's own project.

The agent GETs the URL from the host's root namespace, so an unchecked URL would let
any member make the host fetch host-local services or other machines. A URL is allowed
when it is ``http://`` (no https, no ``user:password@``) and its host is an IP literal
(no name is looked up) that is, at the time of each read, a floating IP owned by the
group's project or the floating IP of the group's load balancer VIP. Addresses that are
loopback, link-local, multicast, unspecified or reserved are refused even then. The
agent then reads through the host interface of the floating IP's external network only
(``MetricSource.device``), so a floating IP the host does not reach locally is never
fetched through the machine's uplink.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.loadbalancer import LoadBalancer
from pocketstack.db.models.network import FloatingIp
from pocketstack.errors import BadRequest, CloudError
from pocketstack.services.autoscaling import pool
from pocketstack.services.context import RequestContext

MAX_URL = 2048
WHICH = ("a floating IP of the group's project or of its load balancer, e.g. "
         "http://172.24.4.10/server-status?auto")


def check_url(url) -> str:
    """``url`` if its form is allowed (the ownership of its address is ``refusal``'s)."""
    parts = _split(url)
    if parts is None or parts.scheme != "http" or not parts.hostname:
        raise BadRequest(f"An http_regex metric needs an http:// url (https is not "
                         f"supported) of at most {MAX_URL} printable characters, at {WHICH}.")
    if parts.username is not None or parts.password is not None:
        raise BadRequest("The http_regex url must not carry a user or password.")
    if _address(parts) is None:
        raise BadRequest(f"The http_regex url's host must be an IP address ({WHICH}); "
                         f"names are not looked up.")
    return url


def refusal(session: Session, context: RequestContext, load_balancer: dict | None,
            url: str) -> str | None:
    """Why the cloud will not GET ``url`` for a group of ``context``'s project now (a
    message for the group's events and for a 400), or None when it may."""
    return locate(session, context, load_balancer, url)[1]


def locate(session: Session, context: RequestContext, load_balancer: dict | None,
           url: str) -> tuple[FloatingIp | None, str | None]:
    """The floating IP ``url`` points at when the group may read it, else why not."""
    parts = _split(url)
    address = _address(parts) if parts is not None and parts.scheme == "http" else None
    if address is None or parts.username is not None or parts.password is not None:
        return None, f"the url {url!r} is not an http:// url at an IP address"
    if address.is_loopback or address.is_link_local or address.is_multicast \
            or address.is_unspecified or address.is_reserved:
        return None, f"{address} is not an address the cloud reads metrics from"
    floating = session.scalars(select(FloatingIp).where(
        FloatingIp.floating_ip_address == str(address), FloatingIp.deleting.is_(False))).all()
    vip_port = _vip_port(session, context, load_balancer)
    for fip in floating:
        if fip.project_id == context.project_id or (vip_port and fip.port_id == vip_port):
            return fip, None
    return None, f"{address} is not {WHICH}"


def check_owned(session: Session, context: RequestContext, load_balancer: dict | None,
                url: str) -> None:
    problem = refusal(session, context, load_balancer, url)
    if problem:
        raise BadRequest(f"The http_regex url is refused: {problem}.")


def _split(url) -> SplitResult | None:
    if not isinstance(url, str) or len(url) > MAX_URL \
            or any(not " " < char <= "~" for char in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    return parts


def _address(parts: SplitResult):
    try:
        return ipaddress.ip_address(parts.hostname or "")
    except ValueError:
        return None


def _vip_port(session: Session, context: RequestContext,
              load_balancer: dict | None) -> str | None:
    if not load_balancer:
        return None
    try:
        loadbalancer_id = pool.loadbalancer_of(session, context, load_balancer["pool_id"])
    except CloudError:
        return None
    found = session.get(LoadBalancer, loadbalancer_id) if loadbalancer_id else None
    return found.vip_port_id if found is not None and found.vip_port_id else None
