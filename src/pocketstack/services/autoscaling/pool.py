"""A group's load balancer pool, through the load balancer service's member functions.

The load balancer service (``services/loadbalancer/members.py``, see the scaling
contract) owns pools and members; this module is the only place autoscaling calls it.
Each call writes desired state in the caller's transaction; waking the agent is the
caller's business. A cloud built without the load balancer service refuses groups with
a pool (BadRequest) instead of failing later.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pocketstack.errors import BadRequest, NotFound
from pocketstack.services.context import RequestContext


def _members():
    try:
        from pocketstack.services.loadbalancer import members
    except ImportError:
        raise BadRequest("This cloud has no load balancer service: create the group without "
                         "'load_balancer'.") from None
    return members


def check_pool(session: Session, context: RequestContext, pool_id: str) -> None:
    """BadRequest unless ``pool_id`` is a pool the caller may add members to."""
    try:
        _members().list_members(session, context, pool_id)
    except NotFound:
        raise BadRequest(f"Pool {pool_id} could not be found.") from None


def add_member(session: Session, context: RequestContext, load_balancer: dict, *,
               address: str, name: str) -> str | None:
    """Make ``address`` a member of the group's pool; returns the member's ID, or None
    when the pool is gone (e.g. its load balancer was deleted with ``cascade``)."""
    try:
        member = _members().create_member(
            session, context, load_balancer["pool_id"], address=address,
            protocol_port=load_balancer["protocol_port"],
            subnet_id=load_balancer.get("subnet_id"), name=name, weight=1)
    except NotFound:
        return None
    return member["id"]


def drain_member(session: Session, context: RequestContext, pool_id: str,
                 member_id: str) -> None:
    """Weight 0: HAProxy sends the member no new sessions and lets current ones finish."""
    try:
        _members().update_member(session, context, pool_id, member_id, weight=0)
    except NotFound:
        pass  # already gone: nothing left to drain


def drain_applied(session: Session, context: RequestContext, pool_id: str,
                  member_id: str) -> bool:
    """Whether the load balancer applied the member's last change (its weight 0): only
    then do its session counts say that the drain is over. A member gone is applied."""
    try:
        listed = _members().list_members(session, context, pool_id)
    except NotFound:
        return True
    member = next((m for m in listed if m["id"] == member_id), None)
    return member is None or not member.get("provisioning_status", "").startswith("PENDING_")


def remove_member(session: Session, context: RequestContext, pool_id: str,
                  member_id: str) -> None:
    try:
        _members().delete_member(session, context, pool_id, member_id)
    except NotFound:
        pass


def loadbalancer_of(session: Session, context: RequestContext, pool_id: str) -> str | None:
    """The ID of the load balancer that serves ``pool_id`` (its stats hold the members)."""
    return _members().loadbalancer_of_pool(session, context, pool_id)
