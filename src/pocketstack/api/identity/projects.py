"""/v3/projects."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import BaseModel

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.identity.schemas import ProjectCreate, ProjectUpdate
from pocketstack.api.identity.views import collection, project_view
from pocketstack.services.identity import projects

router = APIRouter(prefix="/v3/projects")


class ProjectCreateBody(BaseModel):
    project: ProjectCreate


class ProjectUpdateBody(BaseModel):
    project: ProjectUpdate


@router.get("")
def list_projects(request: Request, cloud: CloudDep, who: Caller, name: str | None = None,
                  domain_id: str | None = None, enabled: str | None = None,
                  tags: str | None = None):
    with cloud.db.session() as session:
        found = projects.list_projects(session, who, name=name, domain_id=domain_id,
                                       enabled=enabled, tags=tags)
        items = [project_view(project, cloud.settings) for project in found]
    return collection("projects", items, str(request.url))


@router.post("", status_code=201)
def create_project(body: ProjectCreateBody, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        project = projects.create_project(session, who, body.project.values())
        return {"project": project_view(project, cloud.settings)}


@router.get("/{project_id}")
def show_project(project_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        project = projects.get_project(session, who, project_id)
        return {"project": project_view(project, cloud.settings)}


@router.patch("/{project_id}")
def update_project(project_id: str, body: ProjectUpdateBody, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        project = projects.update_project(session, who, project_id, body.project.values())
        return {"project": project_view(project, cloud.settings)}


@router.delete("/{project_id}", status_code=204)
def delete_project(project_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        projects.delete_project(session, who, project_id)
    return Response(status_code=204)
