"""/v3/domains."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import BaseModel

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.identity.schemas import DomainCreate, DomainUpdate
from pocketstack.api.identity.views import collection, domain_view
from pocketstack.services.identity import domains

router = APIRouter(prefix="/v3/domains")


class DomainCreateBody(BaseModel):
    domain: DomainCreate


class DomainUpdateBody(BaseModel):
    domain: DomainUpdate


@router.get("")
def list_domains(request: Request, cloud: CloudDep, who: Caller, name: str | None = None,
                 enabled: str | None = None):
    with cloud.db.session() as session:
        found = domains.list_domains(session, who, name=name, enabled=enabled)
        items = [domain_view(domain, cloud.settings) for domain in found]
    return collection("domains", items, str(request.url))


@router.post("", status_code=201)
def create_domain(body: DomainCreateBody, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        domain = domains.create_domain(session, who, body.domain.values())
        return {"domain": domain_view(domain, cloud.settings)}


@router.get("/{domain_id}")
def show_domain(domain_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        return {"domain": domain_view(domains.get_domain(session, who, domain_id), cloud.settings)}


@router.patch("/{domain_id}")
def update_domain(domain_id: str, body: DomainUpdateBody, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        domain = domains.update_domain(session, who, domain_id, body.domain.values())
        return {"domain": domain_view(domain, cloud.settings)}


@router.delete("/{domain_id}", status_code=204)
def delete_domain(domain_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        domains.delete_domain(session, who, domain_id)
    return Response(status_code=204)
