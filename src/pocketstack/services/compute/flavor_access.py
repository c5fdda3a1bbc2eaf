"""What hangs off a flavor: the projects a private flavor is shared with, and extra specs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Flavor, FlavorAccess
from pocketstack.db.models.identity import Project
from pocketstack.errors import BadRequest, Conflict, NotFound
from pocketstack.services.compute.flavors import get_flavor
from pocketstack.services.context import RequestContext


def projects_of(session: Session, flavor: Flavor) -> list[str]:
    query = (select(FlavorAccess.project_id).where(FlavorAccess.flavor_id == flavor.id)
             .order_by(FlavorAccess.project_id))
    return list(session.scalars(query))


def access_list(session: Session, context: RequestContext, flavor_id: str) -> list[str]:
    """Projects sharing a private flavor; a public flavor has no list (NotFound)."""
    context.require_admin()
    flavor = get_flavor(session, context, flavor_id)
    if flavor.is_public:
        raise NotFound("Access list not available for public flavors.")
    return projects_of(session, flavor)


def _require_project(session: Session, project_id: str) -> None:
    if session.get(Project, project_id) is None:
        raise BadRequest(f"Project ID {project_id} is not a valid project.")


def add_access(
    session: Session, context: RequestContext, flavor_id: str, project_id: str
) -> list[str]:
    context.require_admin()
    _require_project(session, project_id)
    flavor = get_flavor(session, context, flavor_id)
    if flavor.is_public:
        raise Conflict("Can not add access to a public flavor.")
    if session.get(FlavorAccess, (flavor.id, project_id)) is not None:
        raise Conflict(f"Flavor access already exists for flavor {flavor_id} and project "
                       f"{project_id} combination.")
    session.add(FlavorAccess(flavor_id=flavor.id, project_id=project_id))
    session.flush()
    return projects_of(session, flavor)


def remove_access(
    session: Session, context: RequestContext, flavor_id: str, project_id: str
) -> list[str]:
    """Stop sharing; a project that no longer exists may still be removed."""
    context.require_admin()
    flavor = get_flavor(session, context, flavor_id)
    row = session.get(FlavorAccess, (flavor.id, project_id))
    if row is None:
        raise NotFound(f"Flavor access not found for {flavor_id} / {project_id} combination.")
    session.delete(row)
    session.flush()
    return projects_of(session, flavor)


def extra_specs(session: Session, context: RequestContext, flavor_id: str) -> dict[str, str]:
    return dict(get_flavor(session, context, flavor_id).extra_specs or {})


def extra_spec(session: Session, context: RequestContext, flavor_id: str, key: str) -> str:
    specs = extra_specs(session, context, flavor_id)
    if key not in specs:
        raise NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
    return specs[key]


def set_extra_specs(
    session: Session, context: RequestContext, flavor_id: str, specs: dict[str, str]
) -> None:
    """Add or replace ``specs``; values are stored as strings, as Nova does."""
    context.require_admin()
    flavor = get_flavor(session, context, flavor_id)
    flavor.extra_specs = {**(flavor.extra_specs or {}), **specs}


def delete_extra_spec(session: Session, context: RequestContext, flavor_id: str, key: str) -> None:
    context.require_admin()
    flavor = get_flavor(session, context, flavor_id)
    specs = dict(flavor.extra_specs or {})
    if key not in specs:
        raise NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
    del specs[key]
    flavor.extra_specs = specs
