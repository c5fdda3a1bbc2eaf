"""Grants on projects and domains, and /v3/role_assignments."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.identity.views import (
    collection,
    domain_ref,
    project_ref,
    role_ref,
    role_view,
    user_ref,
    v3_url,
)
from pocketstack.db.models.identity import Domain, Project, Role, RoleAssignment, User
from pocketstack.services.identity import assignments
from pocketstack.services.identity.assignments import Target
from pocketstack.services.identity.policy import truthy

router = APIRouter(prefix="/v3")

PROJECT_GRANT = "/projects/{project_id}/users/{user_id}/roles"
DOMAIN_GRANT = "/domains/{domain_id}/users/{user_id}/roles"


def _target(project_id: str | None = None, domain_id: str | None = None) -> Target:
    return Target(project_id=project_id, domain_id=domain_id)


def _list_grants(request: Request, cloud, who, user_id: str, target: Target) -> dict:
    with cloud.db.session() as session:
        found = assignments.list_grants(session, who, user_id, target)
        items = [role_view(role, cloud.settings) for role in found]
    return collection("roles", items, str(request.url))


def _grant(cloud, who, user_id: str, target: Target, role_id: str) -> Response:
    with cloud.db.session() as session:
        assignments.grant(session, who, user_id, target, role_id)
    return Response(status_code=204)


def _check(cloud, who, user_id: str, target: Target, role_id: str) -> Response:
    with cloud.db.session() as session:
        assignments.check(session, who, user_id, target, role_id)
    return Response(status_code=204)


def _revoke(cloud, who, user_id: str, target: Target, role_id: str) -> Response:
    with cloud.db.session() as session:
        assignments.revoke(session, who, user_id, target, role_id)
    return Response(status_code=204)


@router.get(PROJECT_GRANT)
def list_project_grants(request: Request, project_id: str, user_id: str, cloud: CloudDep,
                        who: Caller):
    return _list_grants(request, cloud, who, user_id, _target(project_id=project_id))


@router.put(PROJECT_GRANT + "/{role_id}", status_code=204)
def grant_on_project(project_id: str, user_id: str, role_id: str, cloud: CloudDep, who: Caller):
    return _grant(cloud, who, user_id, _target(project_id=project_id), role_id)


@router.head(PROJECT_GRANT + "/{role_id}", status_code=204)
@router.get(PROJECT_GRANT + "/{role_id}", status_code=204)
def check_on_project(project_id: str, user_id: str, role_id: str, cloud: CloudDep, who: Caller):
    return _check(cloud, who, user_id, _target(project_id=project_id), role_id)


@router.delete(PROJECT_GRANT + "/{role_id}", status_code=204)
def revoke_on_project(project_id: str, user_id: str, role_id: str, cloud: CloudDep,
                      who: Caller):
    return _revoke(cloud, who, user_id, _target(project_id=project_id), role_id)


@router.get(DOMAIN_GRANT)
def list_domain_grants(request: Request, domain_id: str, user_id: str, cloud: CloudDep,
                       who: Caller):
    return _list_grants(request, cloud, who, user_id, _target(domain_id=domain_id))


@router.put(DOMAIN_GRANT + "/{role_id}", status_code=204)
def grant_on_domain(domain_id: str, user_id: str, role_id: str, cloud: CloudDep, who: Caller):
    return _grant(cloud, who, user_id, _target(domain_id=domain_id), role_id)


@router.head(DOMAIN_GRANT + "/{role_id}", status_code=204)
@router.get(DOMAIN_GRANT + "/{role_id}", status_code=204)
def check_on_domain(domain_id: str, user_id: str, role_id: str, cloud: CloudDep, who: Caller):
    return _check(cloud, who, user_id, _target(domain_id=domain_id), role_id)


@router.delete(DOMAIN_GRANT + "/{role_id}", status_code=204)
def revoke_on_domain(domain_id: str, user_id: str, role_id: str, cloud: CloudDep, who: Caller):
    return _revoke(cloud, who, user_id, _target(domain_id=domain_id), role_id)


def _flag(value: str | None) -> bool:
    """Keystone's presence flags: ``?effective`` alone means true."""
    return value is not None and (value == "" or truthy(value))


def assignment_view(session, row: RoleAssignment, settings, include_names: bool) -> dict:
    role, user = session.get(Role, row.role_id), session.get(User, row.user_id)
    user_domain = session.get(Domain, user.domain_id)
    if row.project_id:
        project = session.get(Project, row.project_id)
        scope_kind, scope_path = "project", ("projects", row.project_id)
        scope = project_ref(project, session.get(Domain, project.domain_id))
    else:
        scope_kind, scope_path = "domain", ("domains", row.domain_id)
        scope = domain_ref(session.get(Domain, row.domain_id))
    view = {
        "role": role_ref(role) if include_names else {"id": role.id},
        "user": user_ref(user, user_domain) if include_names else {"id": user.id},
        "scope": {scope_kind: scope if include_names else {"id": scope["id"]}},
        "links": {"assignment": v3_url(settings, *scope_path, "users", user.id, "roles", role.id)},
    }
    view["user"].pop("password_expires_at", None)
    return view


@router.get("/role_assignments")
def list_role_assignments(
    request: Request,
    cloud: CloudDep,
    who: Caller,
    user_id: Annotated[str | None, Query(alias="user.id")] = None,
    project_id: Annotated[str | None, Query(alias="scope.project.id")] = None,
    domain_id: Annotated[str | None, Query(alias="scope.domain.id")] = None,
    role_id: Annotated[str | None, Query(alias="role.id")] = None,
    group_id: Annotated[str | None, Query(alias="group.id")] = None,
    system: Annotated[str | None, Query(alias="scope.system")] = None,
    effective: str | None = None,
    include_names: str | None = None,
):
    """Direct assignments; ``effective`` gives the same list (no groups or inheritance), and
    asking for groups or the system scope finds nothing."""
    del effective
    with cloud.db.session() as session:
        found = assignments.list_assignments(session, who, user_id=user_id,
                                             project_id=project_id, domain_id=domain_id,
                                             role_id=role_id)
        if group_id or system:
            found = []
        items = [assignment_view(session, row, cloud.settings, _flag(include_names))
                 for row in found]
    return collection("role_assignments", items, str(request.url))
