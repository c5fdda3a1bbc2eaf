"""Domains: admin manages them; a user reads the domain it belongs to."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pocketstack.db.models.identity import Domain, Project, User
from pocketstack.errors import Forbidden
from pocketstack.services.context import RequestContext
from pocketstack.services.identity import records, tokens
from pocketstack.services.identity.bootstrap import DEFAULT_DOMAIN_ID
from pocketstack.services.identity.policy import denied, require_admin

COLUMNS = frozenset({"name", "description", "enabled"})


def list_domains(session: Session, context: RequestContext, **filters) -> list[Domain]:
    require_admin(context, "list_domains")
    query = records.filtered(select(Domain), Domain, filters)
    return list(session.scalars(query.order_by(Domain.name)))


def get_domain(session: Session, context: RequestContext, domain_id: str) -> Domain:
    if not context.is_admin and domain_id not in _caller_domains(session, context):
        raise denied("get_domain")
    return records.get(session, Domain, domain_id, "domain")


def create_domain(session: Session, context: RequestContext, values: dict) -> Domain:
    require_admin(context, "create_domain")
    records.ensure_unique(session, Domain, "domain", name=values["name"])
    domain = Domain(name=values["name"], description="", enabled=True, extra={})
    records.apply(domain, values, COLUMNS)
    session.add(domain)
    session.flush()
    return domain


def update_domain(session: Session, context: RequestContext, domain_id: str, values: dict):
    require_admin(context, "update_domain")
    domain = records.get(session, Domain, domain_id, "domain")
    if "name" in values:
        records.ensure_unique(session, Domain, "domain", exclude_id=domain.id, name=values["name"])
    if values.get("enabled") is False:
        _refuse_for_default(domain, "disabled")
        tokens.revoke_for_domain(session, domain.id)
    records.apply(domain, values, COLUMNS)
    session.flush()
    return domain


def delete_domain(session: Session, context: RequestContext, domain_id: str) -> None:
    """Delete a disabled domain with its projects and users (and so their grants and tokens)."""
    require_admin(context, "delete_domain")
    domain = records.get(session, Domain, domain_id, "domain")
    _refuse_for_default(domain, "deleted")
    if domain.enabled:
        raise Forbidden("Cannot delete a domain that is enabled, please disable it first.")
    tokens.revoke_for_domain(session, domain.id)
    session.execute(delete(Project).where(Project.domain_id == domain.id))
    session.execute(delete(User).where(User.domain_id == domain.id))
    session.delete(domain)


def _refuse_for_default(domain: Domain, what: str) -> None:
    if domain.id == DEFAULT_DOMAIN_ID:
        raise Forbidden(f"The default domain holds pocketstack's own accounts and cannot be "
                        f"{what}.")


def _caller_domains(session: Session, context: RequestContext) -> set[str]:
    found = {context.domain_id}
    if context.project_id:
        project = session.get(Project, context.project_id)
        if project is not None:
            found.add(project.domain_id)
    return found
