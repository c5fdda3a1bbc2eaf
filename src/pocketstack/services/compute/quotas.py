"""Nova's view of quotas: its resource names, usage, and the rules for changing limits.

Limits live in ``services/quota.py`` (shared by every service). Nova's old network
quotas (shown before microversion 2.36) are the network service's own limits under
Nova's names, so both APIs tell the same story.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pocketstack.db.models.identity import Project
from pocketstack.errors import BadRequest, Forbidden
from pocketstack.services import quota
from pocketstack.services.compute.server_groups import count_groups
from pocketstack.services.compute.usage import project_usage
from pocketstack.services.context import RequestContext

# Nova's quota names, in its order, and where each one is kept.
STORED_AS = {
    "instances": "instances",
    "cores": "cores",
    "ram": "ram",
    "floating_ips": "floatingip",
    "fixed_ips": "fixed_ips",
    "metadata_items": "metadata_items",
    "injected_files": "injected_files",
    "injected_file_content_bytes": "injected_file_content_bytes",
    "injected_file_path_bytes": "injected_file_path_bytes",
    "key_pairs": "key_pairs",
    "security_groups": "security_group",
    "security_group_rules": "security_group_rule",
    "server_groups": "server_groups",
    "server_group_members": "server_group_members",
}
NAMES = tuple(STORED_AS)
MAX_LIMIT = 0x7FFFFFFF


def _nova_view(stored: dict[str, int]) -> dict[str, int]:
    return {name: stored.get(kept, quota.UNLIMITED) for name, kept in STORED_AS.items()}


def require_project(session: Session, context: RequestContext, project_id: str,
                    action: str) -> None:
    """Members reach their own project's quotas only; the project must exist."""
    if not context.is_admin and project_id != context.project_id:
        raise Forbidden(f"Policy doesn't allow os_compute_api:os-quota-sets:{action} to be "
                        "performed.")
    require_known(session, project_id)


def require_known(session: Session, project_id: str) -> None:
    if session.get(Project, project_id) is None:
        raise BadRequest(f"Project ID {project_id} is not a valid project.")


def defaults(session: Session) -> dict[str, int]:
    """Every project's starting limits: the ``default`` quota class."""
    return _nova_view(quota.class_limits(session))


def class_set(session: Session, name: str) -> dict[str, int]:
    return _nova_view(quota.class_limits(session, name))


def set_class(session: Session, context: RequestContext, name: str,
              values: dict[str, int]) -> None:
    """Admin only: change quota class ``name`` (``default`` changes every project's
    limits that the project does not override)."""
    context.require_admin()
    quota.set_limits(session, quota.class_key(name),
                     {STORED_AS[key]: value for key, value in values.items()})


def limits(session: Session, project_id: str) -> dict[str, int]:
    return _nova_view(quota.limits(session, project_id))


def usage(session: Session, project_id: str) -> dict[str, int]:
    """What Nova counts against a project: servers, cores, RAM and server groups. Key
    pairs are per user and group members per group: both are shown as 0, as Nova does."""
    used = dict.fromkeys(NAMES, 0)
    used.update(project_usage(session, project_id))
    used["server_groups"] = count_groups(session, project_id)
    return used


def details(session: Session, project_id: str) -> dict[str, dict[str, int]]:
    used = usage(session, project_id)
    return {name: {"limit": limit, "in_use": used[name], "reserved": 0}
            for name, limit in limits(session, project_id).items()}


def _below_usage(limit: int, used: int) -> bool:
    return limit != quota.UNLIMITED and limit < used


def set_limits(session: Session, context: RequestContext, project_id: str,
               values: dict[str, int], *, force: bool = False) -> None:
    """Set limits (-1 is unlimited); unless ``force``, none may drop below what is in use."""
    context.require_admin()
    require_project(session, context, project_id, "update")
    if not force:
        used = usage(session, project_id)
        for name, limit in values.items():
            if _below_usage(limit, used[name]):
                raise BadRequest(f"Quota limit {limit} for {name} must be greater than or "
                                 f"equal to already used and reserved {used[name]}.")
    quota.set_limits(session, project_id, {STORED_AS[name]: v for name, v in values.items()})


def reset(session: Session, context: RequestContext, project_id: str) -> None:
    """Forget a project's compute overrides (the network service's stay)."""
    context.require_admin()
    compute_only = [kept for name, kept in STORED_AS.items()
                    if name not in ("floating_ips", "security_groups", "security_group_rules")]
    quota.reset_limits(session, project_id, compute_only)



# Nova's /limits names for each quota; metadata_items stands for both server and image.
LIMIT_NAMES = {
    "ram": ("maxTotalRAMSize",), "instances": ("maxTotalInstances",),
    "cores": ("maxTotalCores",), "key_pairs": ("maxTotalKeypairs",),
    "floating_ips": ("maxTotalFloatingIps",),
    "metadata_items": ("maxServerMeta", "maxImageMeta"),
    "injected_files": ("maxPersonality",),
    "injected_file_content_bytes": ("maxPersonalitySize",),
    "security_groups": ("maxSecurityGroups",),
    "security_group_rules": ("maxSecurityGroupRules",),
    "server_groups": ("maxServerGroups",), "server_group_members": ("maxServerGroupMembers",),
}
USED_NAMES = {
    "ram": "totalRAMUsed", "cores": "totalCoresUsed", "instances": "totalInstancesUsed",
    "floating_ips": "totalFloatingIpsUsed", "security_groups": "totalSecurityGroupsUsed",
    "server_groups": "totalServerGroupsUsed",
}


def absolute_limits(session: Session, project_id: str, hidden: set[str]) -> dict[str, int]:
    """The ``absolute`` part of /limits, leaving out the quotas named in ``hidden`` and
    any limit name in it (e.g. ``maxImageMeta``)."""
    found = details(session, project_id)
    absolute = {}
    for name, shown in LIMIT_NAMES.items():
        if name not in hidden:
            absolute.update({key: found[name]["limit"] for key in shown if key not in hidden})
    absolute.update({key: found[name]["in_use"] for name, key in USED_NAMES.items()
                     if name not in hidden})
    return absolute
