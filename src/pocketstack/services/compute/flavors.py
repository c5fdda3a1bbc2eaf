"""Flavors: the sizes servers come in, who may see them, and how they are listed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from pocketstack.db.base import new_id
from pocketstack.db.models.compute import Flavor, FlavorAccess
from pocketstack.errors import BadRequest, Conflict, NotFound
from pocketstack.services import listing
from pocketstack.services.context import RequestContext

# id, name, vcpus, ram (MiB), disk (GiB): Nova's classic defaults.
DEFAULT_FLAVORS = (
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
    ("5", "m1.xlarge", 8, 16384, 160),
)

# Nova's sort keys and the columns that hold them here. Nova's internal integer id
# follows creation order; pocketstack has no "disabled" or "vcpu_weight", so those
# sort by the flavor id.
SORT_COLUMNS = {
    "created_at": "created_at", "description": "description", "disabled": "id",
    "ephemeral_gb": "ephemeral", "flavorid": "id", "id": "created_at", "is_public": "is_public",
    "memory_mb": "ram", "name": "name", "root_gb": "disk", "rxtx_factor": "rxtx_factor",
    "swap": "swap", "updated_at": "updated_at", "vcpu_weight": "id", "vcpus": "vcpus",
}


@dataclass(frozen=True)
class FlavorQuery:
    """What a flavor listing asks for. ``is_public`` None means public and private."""

    is_public: bool | None = True
    min_ram: int | None = None
    min_disk: int | None = None
    name: str | None = None
    sort_key: str = "flavorid"
    descending: bool = False
    marker: str | None = None
    limit: int | None = None


def ensure_default_flavors(session: Session) -> None:
    for flavor_id, name, vcpus, ram, disk in DEFAULT_FLAVORS:
        if session.get(Flavor, flavor_id) is None:
            session.add(Flavor(id=flavor_id, name=name, vcpus=vcpus, ram=ram, disk=disk))


def _shared_with(project_id: str | None) -> ColumnElement[bool]:
    granted = select(FlavorAccess.flavor_id).where(FlavorAccess.project_id == project_id)
    return Flavor.id.in_(granted)


def _visible(context: RequestContext) -> ColumnElement[bool]:
    """Admins see every flavor; others the public ones and those shared with their project."""
    if context.is_admin:
        return true()
    return or_(Flavor.is_public.is_(True), _shared_with(context.project_id))


def _public_filter(context: RequestContext, is_public: bool | None) -> ColumnElement[bool]:
    if not context.is_admin:
        return _visible(context)
    if is_public is None:
        return true()
    if is_public:
        return or_(Flavor.is_public.is_(True), _shared_with(context.project_id))
    return Flavor.is_public.is_(False)


def list_flavors(session: Session, context: RequestContext, query: FlavorQuery) -> list[Flavor]:
    """One page of the flavors the caller may see; an unknown marker is BadRequest."""
    statement = select(Flavor).where(_public_filter(context, query.is_public))
    if query.min_ram is not None:
        statement = statement.where(Flavor.ram >= query.min_ram)
    if query.min_disk is not None:
        statement = statement.where(Flavor.disk >= query.min_disk)
    if query.name is not None:
        statement = statement.where(Flavor.name == query.name)
    if query.marker is not None:
        visible = select(Flavor.id).where(Flavor.id == query.marker, _visible(context))
        if session.scalar(visible) is None:
            raise BadRequest(f"marker [{query.marker}] not found")
    return listing.page(session, statement, Flavor, marker=query.marker, limit=query.limit,
                        sort_key=SORT_COLUMNS[query.sort_key], descending=query.descending)


def get_flavor(session: Session, context: RequestContext, flavor_id: str) -> Flavor:
    flavor = session.scalar(select(Flavor).where(Flavor.id == flavor_id, _visible(context)))
    if flavor is None:
        raise NotFound(f"Flavor {flavor_id} could not be found.")
    return flavor


def create_flavor(session: Session, context: RequestContext, values: dict) -> Flavor:
    """A new flavor from ``values`` (Flavor's column names); ``id`` None draws a UUID."""
    context.require_admin()
    flavor_id = values.pop("id", None) or new_id()
    if session.get(Flavor, flavor_id) is not None:
        raise Conflict(f"Flavor with ID {flavor_id} already exists.")
    if session.scalar(select(Flavor.id).where(Flavor.name == values["name"])) is not None:
        raise Conflict(f"Flavor with name {values['name']} already exists.")
    flavor = Flavor(id=flavor_id, extra_specs={}, **values)
    session.add(flavor)
    session.flush()
    return flavor


def delete_flavor(session: Session, context: RequestContext, flavor_id: str) -> None:
    context.require_admin()
    session.delete(get_flavor(session, context, flavor_id))


def set_description(
    session: Session, context: RequestContext, flavor_id: str, description: str | None
) -> Flavor:
    context.require_admin()
    flavor = get_flavor(session, context, flavor_id)
    flavor.description = description
    session.flush()
    return flavor
