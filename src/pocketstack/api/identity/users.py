"""/v3/users, a user's projects and its self-service password change."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import BaseModel

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.identity.auth import LoginGuardDep
from pocketstack.api.identity.schemas import PasswordChange, UserCreate, UserUpdate
from pocketstack.api.identity.views import collection, project_view, user_view
from pocketstack.services.identity import projects, users

router = APIRouter(prefix="/v3/users")


class UserCreateBody(BaseModel):
    user: UserCreate


class UserUpdateBody(BaseModel):
    user: UserUpdate


class PasswordChangeBody(BaseModel):
    user: PasswordChange


@router.get("")
def list_users(request: Request, cloud: CloudDep, who: Caller, name: str | None = None,
               domain_id: str | None = None, enabled: str | None = None):
    with cloud.db.session() as session:
        found = users.list_users(session, who, name=name, domain_id=domain_id, enabled=enabled)
        items = [user_view(user, cloud.settings) for user in found]
    return collection("users", items, str(request.url))


@router.post("", status_code=201)
def create_user(body: UserCreateBody, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return {"user": user_view(users.create_user(session, who, body.user.values()),
                                  cloud.settings)}


@router.get("/{user_id}")
def show_user(user_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return {"user": user_view(users.get_user(session, who, user_id), cloud.settings)}


@router.patch("/{user_id}")
def update_user(user_id: str, body: UserUpdateBody, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        user = users.update_user(session, who, user_id, body.user.values())
        return {"user": user_view(user, cloud.settings)}


@router.delete("/{user_id}", status_code=204)
def delete_user(user_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        users.delete_user(session, who, user_id)
    return Response(status_code=204)


@router.post("/{user_id}/password", status_code=204)
def change_password(user_id: str, body: PasswordChangeBody, cloud: CloudDep,
                    guard: LoginGuardDep):
    with cloud.db.session() as session:
        users.change_password(session, user_id, body.user.original_password, body.user.password,
                              guard)
    return Response(status_code=204)


@router.get("/{user_id}/projects")
def list_user_projects(request: Request, user_id: str, cloud: CloudDep, who: Caller,
                       name: str | None = None, enabled: str | None = None,
                       domain_id: str | None = None):
    with cloud.db.session() as session:
        found = projects.list_user_projects(session, who, user_id, name=name, enabled=enabled,
                                            domain_id=domain_id)
        items = [project_view(project, cloud.settings) for project in found]
    return collection("projects", items, str(request.url))
