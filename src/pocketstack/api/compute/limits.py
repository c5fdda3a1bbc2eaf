"""/limits: a project's absolute limits and what it uses (rate limits are always empty)."""

from __future__ import annotations

from fastapi import Request

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.query import reject_unknown
from pocketstack.errors import Forbidden
from pocketstack.services.compute import quotas

router = APIRouter(prefix="/v2.1/limits", tags=["limits"])

NETWORK_LIMITS = {"floating_ips", "security_groups", "security_group_rules"}
FILE_LIMITS = {"injected_files", "injected_file_content_bytes"}


def hidden_limits(version: Version) -> set[str]:
    """What Nova stopped showing: network proxies at 2.36, maxImageMeta at 2.39,
    personality at 2.57."""
    hidden = set()
    if version.at_least("2.36"):
        hidden |= NETWORK_LIMITS
    if version.at_least("2.39"):
        hidden.add("maxImageMeta")
    if version.at_least("2.57"):
        hidden |= FILE_LIMITS
    return hidden


def _project(request: Request, who) -> str:
    wanted = request.query_params.get("tenant_id")
    if wanted is None or wanted == who.project_id:
        return who.require_project()
    if not who.is_admin:
        raise Forbidden("Policy doesn't allow os_compute_api:limits:other_project to be "
                        "performed.")
    return wanted


@router.get("")
def show_limits(request: Request, cloud: CloudDep, who: Caller, version: Microversion,
                tenant_id: str | None = None):
    reject_unknown(request, version, {"tenant_id"})
    project_id = _project(request, who)
    with cloud.db.session() as session:
        absolute = quotas.absolute_limits(session, project_id, hidden_limits(version))
    return {"limits": {"rate": [], "absolute": absolute}}
