"""Projects: admin manages them; a user reads its scoped project and lists its own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.identity import Domain, Project, RoleAssignment, User
from pocketstack.errors import BadRequest
from pocketstack.services.context import RequestContext
from pocketstack.services.identity import records, tokens
from pocketstack.services.identity.policy import (
    denied,
    require_admin,
    require_admin_or_self,
)

COLUMNS = frozenset({"name", "description", "enabled", "tags"})


def caller_domain_id(session: Session, context: RequestContext) -> str:
    """The domain new users and projects go to by default: the token's scope's domain."""
    if context.project_id:
        project = session.get(Project, context.project_id)
        if project is not None:
            return project.domain_id
    return context.domain_id


def list_projects(session: Session, context: RequestContext, *, tags: str | None = None,
                  **filters) -> list[Project]:
    require_admin(context, "list_projects")
    query = records.filtered(select(Project), Project, filters).order_by(Project.name)
    found = list(session.scalars(query))
    if tags:
        wanted = set(tags.split(","))
        found = [project for project in found if wanted <= set(project.tags or [])]
    return found


def list_user_projects(session: Session, context: RequestContext, user_id: str,
                       **filters) -> list[Project]:
    """Projects where ``user_id`` holds a role (Keystone's ``/v3/users/{id}/projects``)."""
    require_admin_or_self(context, "list_user_projects", user_id)
    records.get(session, User, user_id, "user")
    query = (
        select(Project)
        .join(RoleAssignment, RoleAssignment.project_id == Project.id)
        .where(RoleAssignment.user_id == user_id)
        .distinct()
    )
    query = records.filtered(query, Project, filters).order_by(Project.name)
    return list(session.scalars(query))


def get_project(session: Session, context: RequestContext, project_id: str) -> Project:
    if not context.is_admin and context.project_id != project_id:
        raise denied("get_project")
    return records.get(session, Project, project_id, "project")


def create_project(session: Session, context: RequestContext, values: dict) -> Project:
    require_admin(context, "create_project")
    values = dict(values)
    domain_id = values.pop("domain_id", None) or caller_domain_id(session, context)
    records.get(session, Domain, domain_id, "domain")
    parent_id = values.pop("parent_id", None)
    if parent_id not in (None, domain_id):
        raise BadRequest("Project hierarchies are not supported: parent_id must be the domain.")
    if values.pop("is_domain", False):
        raise BadRequest("Projects acting as domains are not supported.")
    records.ensure_unique(session, Project, "project", name=values["name"], domain_id=domain_id)
    project = Project(domain_id=domain_id, description="", enabled=True, tags=[], extra={})
    records.apply(project, values, COLUMNS)
    session.add(project)
    session.flush()
    return project


def update_project(session: Session, context: RequestContext, project_id: str,
                   values: dict) -> Project:
    """Change a project; disabling it revokes every token scoped to it."""
    require_admin(context, "update_project")
    project = records.get(session, Project, project_id, "project")
    values = dict(values)
    fixed = {"domain_id": project.domain_id, "parent_id": project.domain_id, "is_domain": False}
    for key, current in fixed.items():
        if key in values and values.pop(key) != current:
            raise BadRequest(f"Cannot change {key} of a project.")
    if "name" in values:
        records.ensure_unique(session, Project, "project", exclude_id=project.id,
                              name=values["name"], domain_id=project.domain_id)
    if values.get("enabled") is False:
        tokens.revoke_for_project(session, project.id)
    records.apply(project, values, COLUMNS)
    session.flush()
    return project


def delete_project(session: Session, context: RequestContext, project_id: str) -> None:
    """Delete a project with its grants, application credentials and tokens."""
    require_admin(context, "delete_project")
    project = records.get(session, Project, project_id, "project")
    tokens.revoke_for_project(session, project.id)
    session.delete(project)
    session.flush()
