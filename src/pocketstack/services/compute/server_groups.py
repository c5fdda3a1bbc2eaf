"""Server groups: named sets of servers with a placement policy, and their quotas.

pocketstack's compute has one host, so placement is decided when a server joins a group
at boot: affinity and the soft policies always hold; hard anti-affinity holds for at most
``max_server_per_host`` members (1 unless the group's rules say more). A boot that would
break it makes servers in ERROR with Nova's "No valid host" fault, as Nova's scheduler
does when it runs out of hosts, instead of silently putting them together.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pocketstack.db.base import isotime, utcnow
from pocketstack.db.models.compute import Server, ServerGroup, ServerGroupMember
from pocketstack.errors import BadRequest, NotFound, QuotaExceeded
from pocketstack.services import quota
from pocketstack.services.context import RequestContext

AFFINITY, ANTI_AFFINITY = "affinity", "anti-affinity"
SOFT_AFFINITY, SOFT_ANTI_AFFINITY = "soft-affinity", "soft-anti-affinity"
POLICIES = (AFFINITY, ANTI_AFFINITY, SOFT_AFFINITY, SOFT_ANTI_AFFINITY)
HOSTS = 1
NO_VALID_HOST = "No valid host was found. There are not enough hosts available."


def create_group(session: Session, context: RequestContext, name: str, policy: str,
                 rules: dict | None = None) -> ServerGroup:
    """A new group of the caller's project; ``rules`` only with anti-affinity."""
    context.require_writer()
    project_id = context.require_project()
    if policy not in POLICIES:
        raise BadRequest(f"Invalid input for field/attribute policy. Value: {policy}. "
                         f"It must be one of {', '.join(POLICIES)}.")
    rules = dict(rules or {})
    if rules and policy != ANTI_AFFINITY:
        raise BadRequest("Only anti-affinity policy supports rules.")
    _check_rules(rules)
    quota.check(session, project_id, "server_groups", count_groups(session, project_id))
    group = ServerGroup(name=name, project_id=project_id, user_id=context.user_id,
                        policy=policy, rules=rules)
    session.add(group)
    session.flush()
    return group


def _check_rules(rules: dict) -> None:
    unknown = sorted(set(rules) - {"max_server_per_host"})
    if unknown:
        raise BadRequest(f"Invalid input for field/attribute rules. Unknown rules: {unknown}.")
    limit = rules.get("max_server_per_host", 1)
    if isinstance(limit, bool) or not str(limit).isdigit() or int(limit) < 1:
        raise BadRequest("Invalid input for field/attribute max_server_per_host. Value: "
                         f"{limit}. It must be a positive integer.")
    if "max_server_per_host" in rules:
        rules["max_server_per_host"] = int(limit)


def count_groups(session: Session, project_id: str) -> int:
    return session.scalar(select(func.count(ServerGroup.id))
                          .where(ServerGroup.project_id == project_id)) or 0


def get_group(session: Session, context: RequestContext, group_id: str) -> ServerGroup:
    """The group, if the caller may see it; NotFound otherwise."""
    group = session.get(ServerGroup, group_id)
    if group is None or not context.owns(group.project_id):
        raise NotFound(f"Instance group {group_id} could not be found.")
    return group


def list_groups(session: Session, context: RequestContext, *, all_projects: bool = False,
                limit: int | None = None, offset: int = 0) -> list[ServerGroup]:
    """The caller's project's groups (every project's for an admin asking for all)."""
    query = select(ServerGroup).order_by(ServerGroup.created_at, ServerGroup.id)
    if not (all_projects and context.is_admin):
        query = query.where(ServerGroup.project_id == context.project_id)
    return list(session.scalars(query.offset(offset).limit(limit)))


def delete_group(session: Session, context: RequestContext, group_id: str) -> None:
    """Forget the group; its servers stay (they only leave the group)."""
    context.require_writer()
    session.delete(get_group(session, context, group_id))


def members(session: Session, group_ids: list[str]) -> dict[str, list[str]]:
    """Server ids of each group, for the views."""
    found: dict[str, list[str]] = {group_id: [] for group_id in group_ids}
    rows = session.scalars(select(ServerGroupMember)
                           .where(ServerGroupMember.group_id.in_(group_ids))) if group_ids else []
    for row in rows:
        found[row.group_id].append(row.server_id)
    return found


def groups_of(session: Session, server_ids: list[str]) -> dict[str, list[str]]:
    """Group ids of each server (a server is in at most one group)."""
    found: dict[str, list[str]] = {}
    rows = session.scalars(select(ServerGroupMember)
                           .where(ServerGroupMember.server_id.in_(server_ids))) if server_ids else []
    for row in rows:
        found.setdefault(row.server_id, []).append(row.group_id)
    return found


def group_for_boot(session: Session, context: RequestContext, group_id: str,
                   count: int) -> ServerGroup:
    """The group ``count`` new servers join: it must be visible, with room in its quota."""
    group = session.get(ServerGroup, group_id)
    if group is None or not context.owns(group.project_id):
        raise BadRequest(f"Instance group {group_id} could not be found.")
    used = len(members(session, [group.id])[group.id])
    limit = quota.limits(session, group.project_id)["server_group_members"]
    if limit != quota.UNLIMITED and used + count > limit:
        raise QuotaExceeded("Quota exceeded, too many servers in group")
    return group


def placement_fault(session: Session, group: ServerGroup, count: int) -> dict | None:
    """The fault of ``count`` new members that the group's policy cannot place, or None."""
    if group.policy != ANTI_AFFINITY:
        return None
    per_host = int((group.rules or {}).get("max_server_per_host", 1))
    if _placed_members(session, group) + count <= per_host * HOSTS:
        return None
    return {"code": 500, "message": NO_VALID_HOST, "created": isotime(utcnow()),
            "details": f"server group {group.id} ({ANTI_AFFINITY}) allows {per_host} "
                       f"server(s) per host and this cloud has {HOSTS} compute host."}


def _placed_members(session: Session, group: ServerGroup) -> int:
    """Members on a host: those in ERROR for want of one take no room."""
    return session.scalar(select(func.count(Server.id)).join(
        ServerGroupMember, ServerGroupMember.server_id == Server.id).where(
        ServerGroupMember.group_id == group.id, Server.vm_state != "error")) or 0


def add_member(session: Session, group: ServerGroup, server_id: str) -> None:
    session.add(ServerGroupMember(group_id=group.id, server_id=server_id))
