"""/v3/users/{user_id}/application_credentials."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy import select

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.identity.schemas import ApplicationCredentialCreate
from pocketstack.api.identity.views import application_credential_view, collection
from pocketstack.db.models.identity import Role
from pocketstack.services.identity import app_credentials

router = APIRouter(prefix="/v3/users/{user_id}/application_credentials")


class ApplicationCredentialBody(BaseModel):
    application_credential: ApplicationCredentialCreate


def _view(session, credential, settings) -> dict:
    roles = list(session.scalars(select(Role).where(Role.id.in_(credential.roles))))
    return application_credential_view(credential, roles, settings)


@router.post("", status_code=201)
def create_credential(user_id: str, body: ApplicationCredentialBody, cloud: CloudDep,
                      who: Caller):
    """The one answer that carries the secret."""
    with cloud.db.session() as session:
        credential, secret = app_credentials.create(
            session, who, user_id, body.application_credential.values()
        )
        return {"application_credential": {**_view(session, credential, cloud.settings),
                                           "secret": secret}}


@router.get("")
def list_credentials(request: Request, user_id: str, cloud: CloudDep, who: Caller,
                     name: str | None = None):
    with cloud.db.session() as session:
        found = app_credentials.list_credentials(session, who, user_id, name)
        items = [_view(session, credential, cloud.settings) for credential in found]
    return collection("application_credentials", items, str(request.url))


@router.get("/{credential_id}")
def show_credential(user_id: str, credential_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        credential = app_credentials.get(session, who, user_id, credential_id)
        return {"application_credential": _view(session, credential, cloud.settings)}


@router.delete("/{credential_id}", status_code=204)
def delete_credential(user_id: str, credential_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        app_credentials.delete(session, who, user_id, credential_id)
    return Response(status_code=204)
