"""/v3/auth: issue, validate and revoke tokens; the catalog and scopes a token can reach."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Body, Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.identity.views import (
    collection,
    domain_ref,
    keystone_time,
    project_ref,
    project_view,
    role_ref,
    user_ref,
)
from pocketstack.db.models.identity import (
    ApplicationCredential,
    Domain,
    Project,
    RoleAssignment,
    Token,
    User,
)
from pocketstack.services.identity import auth, tokens
from pocketstack.services.identity.catalog import service_catalog
from pocketstack.services.identity.throttle import LoginGuard, LoginThrottle

router = APIRouter(prefix="/v3/auth")
_making_throttle = threading.Lock()


def login_guard(request: Request, cloud: CloudDep) -> LoginGuard:
    """The identity app's failed-login throttle, seen from this request's client address
    (the TCP peer: behind a proxy every client shares the proxy's address)."""
    state = request.app.state
    with _making_throttle:
        if getattr(state, "login_throttle", None) is None:
            state.login_throttle = LoginThrottle(cloud.settings.login_failure_limit,
                                                 cloud.settings.login_lockout_seconds)
    return LoginGuard(state.login_throttle, request.client.host if request.client else "")


LoginGuardDep = Annotated[LoginGuard, Depends(login_guard)]


def token_body(session, cloud, row: Token, *, with_catalog: bool = True) -> dict:
    user = session.get(User, row.user_id)
    body = {
        "methods": row.methods,
        "user": user_ref(user, session.get(Domain, user.domain_id)),
        "audit_ids": [row.audit_id],
        "expires_at": keystone_time(row.expires_at),
        "issued_at": keystone_time(row.issued_at),
    }
    if row.project_id:
        project = session.get(Project, row.project_id)
        body["project"] = project_ref(project, session.get(Domain, project.domain_id))
        body["is_domain"] = False
    elif row.domain_id:
        body["domain"] = domain_ref(session.get(Domain, row.domain_id))
    roles = tokens.token_roles(session, row)
    if roles:
        body["roles"] = [role_ref(role) for role in roles]
    if row.application_credential_id:
        credential = session.get(ApplicationCredential, row.application_credential_id)
        body["application_credential"] = {
            "id": credential.id, "name": credential.name, "restricted": not credential.unrestricted,
        }
    if with_catalog and (row.project_id or row.domain_id):
        body["catalog"] = service_catalog(cloud.settings)
    return {"token": body}


@router.post("/tokens", status_code=201)
def create_token(cloud: CloudDep, guard: LoginGuardDep, body: Annotated[dict, Body()],
                 nocatalog: str | None = None):
    with cloud.db.session() as session:
        issued = auth.authenticate(session, body, cloud.settings.token_ttl_seconds, guard)
        session.flush()
        document = token_body(session, cloud, issued.row, with_catalog=nocatalog is None)
    return JSONResponse(document, status_code=201, headers={"X-Subject-Token": issued.value})


@router.get("/tokens")
def validate_token(
    cloud: CloudDep,
    _caller: Caller,
    x_subject_token: Annotated[str | None, Header()] = None,
    nocatalog: str | None = None,
):
    with cloud.db.session() as session:
        row = tokens.lookup_subject(session, x_subject_token)
        document = token_body(session, cloud, row, with_catalog=nocatalog is None)
    return JSONResponse(document, headers={"X-Subject-Token": x_subject_token})


@router.head("/tokens")
def check_token(
    cloud: CloudDep, _caller: Caller, x_subject_token: Annotated[str | None, Header()] = None
):
    with cloud.db.session() as session:
        tokens.lookup_subject(session, x_subject_token)
    return Response(status_code=200)


@router.delete("/tokens", status_code=204)
def revoke_token(
    cloud: CloudDep, _caller: Caller, x_subject_token: Annotated[str | None, Header()] = None
):
    with cloud.db.session() as session:
        tokens.revoke(session, x_subject_token or "")
    return Response(status_code=204)


@router.get("/catalog")
def catalog(request: Request, cloud: CloudDep, _caller: Caller):
    return {"catalog": service_catalog(cloud.settings), "links": {"self": str(request.url)}}


@router.get("/projects")
def projects(request: Request, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        query = (
            select(Project)
            .join(RoleAssignment, RoleAssignment.project_id == Project.id)
            .where(RoleAssignment.user_id == who.user_id, Project.enabled.is_(True))
            .distinct()
            .order_by(Project.name)
        )
        found = [project_view(project, cloud.settings) for project in session.scalars(query)]
    return collection("projects", found, str(request.url))


@router.get("/domains")
def domains(cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        query = (
            select(Domain)
            .join(RoleAssignment, RoleAssignment.domain_id == Domain.id)
            .where(RoleAssignment.user_id == who.user_id, RoleAssignment.project_id.is_(None))
            .distinct()
        )
        found = [{**domain_ref(d), "enabled": d.enabled, "links": {}} for d in session.scalars(query)]
    return {"domains": found, "links": {"self": None, "next": None, "previous": None}}
