"""/os-keypairs: import or generate, list, show and delete a user's keypairs."""

from __future__ import annotations

from typing import Literal

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.links import collection_links
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.query import reject_unknown
from pocketstack.db.base import isotime
from pocketstack.db.models.compute import Keypair
from pocketstack.errors import BadRequest
from pocketstack.services import listing
from pocketstack.services.compute import keypairs

router = APIRouter(prefix="/v2.1/os-keypairs", tags=["keypairs"])

QUERY_PARAMS = {"user_id", "limit", "marker"}


class NewKeypair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    public_key: str | None = None
    type: Literal["ssh", "x509"] | None = None
    user_id: str | None = None


class KeypairCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keypair: NewKeypair


def numeric_id(keypair: Keypair) -> int:
    """Nova shows keypairs with an integer id; ours is stable, derived from the row's UUID."""
    return int(keypair.id.replace("-", "")[:7], 16)


def keypair_view(keypair: Keypair, version: Version, fields: tuple[str, ...]) -> dict:
    values = {
        "name": keypair.name, "public_key": keypair.public_key,
        "fingerprint": keypair.fingerprint, "user_id": keypair.user_id,
        "created_at": isotime(keypair.created_at), "updated_at": None, "deleted_at": None,
        "deleted": False, "id": numeric_id(keypair), "type": keypair.type,
    }
    if version.at_least("2.2"):
        fields = (*fields, "type")
    return {name: values[name] for name in fields}


BRIEF = ("name", "public_key", "fingerprint")
CREATED = (*BRIEF, "user_id")
DETAIL = (*CREATED, "created_at", "deleted", "deleted_at", "id", "updated_at")


def _unexpected(field: str) -> BadRequest:
    return BadRequest("Invalid input for field/attribute keypair. Additional properties are "
                      f"not allowed ('{field}' was unexpected)")


def _user_param(request: Request, version: Version) -> str | None:
    return request.query_params.get("user_id") if version.at_least("2.10") else None


@router.post("")
def create_keypair(body: KeypairCreate, cloud: CloudDep, who: Caller, version: Microversion):
    given = body.keypair
    if given.type is not None and not version.at_least("2.2"):
        raise _unexpected("type")
    if given.user_id is not None and not version.at_least("2.10"):
        raise _unexpected("user_id")
    with cloud.db.session() as session:
        keypair, private_key = keypairs.create_keypair(
            session, who, given.name, key_type=given.type or "ssh",
            public_key=given.public_key, user_id=given.user_id)
        view = keypair_view(keypair, version, CREATED)
    if private_key is not None:
        view["private_key"] = private_key
    status = 201 if version.at_least("2.2") else 200
    return JSONResponse({"keypair": view}, status_code=status)


@router.get("")
def list_keypairs(request: Request, cloud: CloudDep, who: Caller, version: Microversion,
                  user_id: str | None = None, limit: str | None = None,
                  marker: str | None = None):
    reject_unknown(request, version, QUERY_PARAMS)
    paged = version.at_least("2.35")
    page_limit = listing.parse_limit(limit) if paged else None
    with cloud.db.session() as session:
        found = keypairs.list_keypairs(session, who, user_id=_user_param(request, version),
                                       marker=marker if paged else None, limit=page_limit)
    body = {"keypairs": [{"keypair": keypair_view(k, version, BRIEF)} for k in found]}
    if paged:
        last = found[-1].name if found else None
        links = collection_links(cloud, request, "os-keypairs", found, last, page_limit)
        if links:
            body["keypairs_links"] = links
    return body


@router.get("/{name}")
def show_keypair(name: str, request: Request, cloud: CloudDep, who: Caller,
                 version: Microversion, user_id: str | None = None):
    reject_unknown(request, version, {"user_id"})
    with cloud.db.session() as session:
        keypair = keypairs.get_keypair(session, who, name, _user_param(request, version))
        return {"keypair": keypair_view(keypair, version, DETAIL)}


@router.delete("/{name}")
def delete_keypair(name: str, request: Request, cloud: CloudDep, who: Caller,
                   version: Microversion, user_id: str | None = None):
    reject_unknown(request, version, {"user_id"})
    with cloud.db.session() as session:
        keypairs.delete_keypair(session, who, name, _user_param(request, version))
    return Response(status_code=204 if version.at_least("2.2") else 202)
