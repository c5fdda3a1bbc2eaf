"""/flavors: list, show, create, describe and delete flavors, shaped per microversion."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from pocketstack.api.common import APIRouter, Caller, CloudDep
from pocketstack.api.compute.links import collection_links, resource_links
from pocketstack.api.compute.microversion import Microversion, Version
from pocketstack.api.compute.query import reject_unknown
from pocketstack.db.models.compute import Flavor
from pocketstack.errors import BadRequest, NotFound
from pocketstack.services import listing
from pocketstack.services.compute import flavors
from pocketstack.services.context import RequestContext

router = APIRouter(prefix="/v2.1/flavors", tags=["flavors"])

MAX_INT = 0x7FFFFFFF
LIST_PARAMS = {"limit", "marker", "is_public", "minRam", "minDisk", "sort_key", "sort_dir"}
TRUE_WORDS = {"1", "t", "true", "on", "y", "yes"}
FALSE_WORDS = {"0", "f", "false", "off", "n", "no"}
FLAVOR_ID = re.compile(r"^(?! )[a-zA-Z0-9. _-]+(?<! )$")


def _printable_name(value: str) -> str:
    if value != value.strip() or not value.isprintable():
        raise ValueError("names may not have leading or trailing whitespace and must be "
                         "printable")
    return value


def _flavor_id(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and not FLAVOR_ID.match(value):
        raise ValueError("flavor IDs are letters, digits, '.', '_', '-' and inner spaces")
    return value


Name = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_printable_name)]
Positive = Annotated[int, Field(ge=1, le=MAX_INT)]
NonNegative = Annotated[int, Field(ge=0, le=MAX_INT)]
Description = Annotated[str, Field(max_length=65535)] | None


class NewFlavor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    id: Annotated[Annotated[str, Field(max_length=255)] | None, BeforeValidator(_flavor_id)] = None
    ram: Positive
    vcpus: Positive
    disk: NonNegative
    ephemeral: NonNegative = Field(0, alias="OS-FLV-EXT-DATA:ephemeral")
    swap: NonNegative = 0
    rxtx_factor: float = Field(1.0, gt=0, le=3.40282e38)
    is_public: bool = Field(True, alias="os-flavor-access:is_public")
    description: Description = None


class FlavorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flavor: NewFlavor


class FlavorChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: Description


class FlavorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flavor: FlavorChange


def flavor_brief(cloud, flavor: Flavor, version: Version) -> dict:
    body = {"id": flavor.id, "name": flavor.name,
            "links": resource_links(cloud, "flavors", flavor.id)}
    if version.at_least("2.55"):
        body["description"] = flavor.description
    return body


def flavor_detail(cloud, flavor: Flavor, version: Version) -> dict:
    body = {
        "id": flavor.id,
        "name": flavor.name,
        "ram": flavor.ram,
        "disk": flavor.disk,
        "swap": flavor.swap if version.at_least("2.75") else (flavor.swap or ""),
        "OS-FLV-EXT-DATA:ephemeral": flavor.ephemeral,
        "OS-FLV-DISABLED:disabled": False,
        "vcpus": flavor.vcpus,
        "os-flavor-access:is_public": flavor.is_public,
        "rxtx_factor": flavor.rxtx_factor or "",
        "links": resource_links(cloud, "flavors", flavor.id),
    }
    if version.at_least("2.55"):
        body["description"] = flavor.description
    if version.at_least("2.61"):
        body["extra_specs"] = dict(flavor.extra_specs or {})
    return body


def parse_is_public(value: str | None) -> bool | None:
    """Nova's ``is_public`` filter: absent means public, ``none`` means all."""
    if value is None:
        return True
    word = value.strip().lower()
    if word == "none":
        return None
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise BadRequest(f"Invalid is_public filter [{value}]")


def _integer_filter(params, name: str) -> int | None:
    if name not in params:
        return None
    try:
        return int(params[name])
    except ValueError:
        raise BadRequest(f"Invalid {name} filter [{params[name]}]") from None


def _choice(params, name: str, allowed, default: str) -> str:
    value = params.get(name) or default
    if value not in allowed:
        raise BadRequest(f"Invalid input for query parameters {name}. Value: {value}. "
                         f"'{value}' is not one of {sorted(allowed)}")
    return value


def flavor_query(request: Request, context: RequestContext, version: Version):
    params = request.query_params
    reject_unknown(request, version, LIST_PARAMS)
    return flavors.FlavorQuery(
        is_public=parse_is_public(params.get("is_public")) if context.is_admin else True,
        min_ram=_integer_filter(params, "minRam"),
        min_disk=_integer_filter(params, "minDisk"),
        name=None if version.at_least("2.75") else params.get("name"),
        sort_key=_choice(params, "sort_key", flavors.SORT_COLUMNS, "flavorid"),
        descending=_choice(params, "sort_dir", ("asc", "desc"), "asc") == "desc",
        marker=params.get("marker"),
        limit=listing.parse_limit(params.get("limit")),
    )


def _list(request: Request, cloud, who, version, view, collection: str) -> dict:
    query = flavor_query(request, who, version)
    with cloud.db.session() as session:
        found = flavors.list_flavors(session, who, query)
    body = {"flavors": [view(cloud, flavor, version) for flavor in found]}
    last = found[-1].id if found else None
    links = collection_links(cloud, request, collection, found, last, query.limit)
    if links:
        body["flavors_links"] = links
    return body


@router.get("")
def list_flavors(
    request: Request, cloud: CloudDep, who: Caller, version: Microversion,
    is_public: str | None = None, min_ram: Annotated[str | None, Query(alias="minRam")] = None,
    min_disk: Annotated[str | None, Query(alias="minDisk")] = None,
    sort_key: str | None = None, sort_dir: str | None = None,
    marker: str | None = None, limit: str | None = None,
):
    return _list(request, cloud, who, version, flavor_brief, "flavors")


@router.get("/detail")
def list_flavors_detail(
    request: Request, cloud: CloudDep, who: Caller, version: Microversion,
    is_public: str | None = None, min_ram: Annotated[str | None, Query(alias="minRam")] = None,
    min_disk: Annotated[str | None, Query(alias="minDisk")] = None,
    sort_key: str | None = None, sort_dir: str | None = None,
    marker: str | None = None, limit: str | None = None,
):
    return _list(request, cloud, who, version, flavor_detail, "flavors/detail")


@router.get("/{flavor_id}")
def show_flavor(flavor_id: str, cloud: CloudDep, who: Caller, version: Microversion):
    with cloud.db.session() as session:
        flavor = flavors.get_flavor(session, who, flavor_id)
        return {"flavor": flavor_detail(cloud, flavor, version)}


@router.post("")
def create_flavor(body: FlavorCreate, cloud: CloudDep, who: Caller, version: Microversion):
    given = body.flavor
    if "description" in given.model_fields_set and not version.at_least("2.55"):
        raise BadRequest("Invalid input for field/attribute flavor. Additional properties are "
                         "not allowed ('description' was unexpected)")
    values = given.model_dump(exclude={"description"} if not version.at_least("2.55") else set())
    with cloud.db.session() as session:
        flavor = flavors.create_flavor(session, who, values)
        return {"flavor": flavor_detail(cloud, flavor, version)}


@router.put("/{flavor_id}")
def update_flavor(
    flavor_id: str, body: FlavorUpdate, cloud: CloudDep, who: Caller, version: Microversion
):
    if not version.at_least("2.55"):
        raise NotFound("The resource could not be found.")
    with cloud.db.session() as session:
        flavor = flavors.set_description(session, who, flavor_id, body.flavor.description)
        return {"flavor": flavor_detail(cloud, flavor, version)}


@router.delete("/{flavor_id}", status_code=202)
def delete_flavor(flavor_id: str, cloud: CloudDep, who: Caller):
    with cloud.db.session() as session:
        flavors.delete_flavor(session, who, flavor_id)
    return Response(status_code=202)
