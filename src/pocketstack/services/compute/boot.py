"""Checks a server create must pass before anything is written: flavor, image, key, quota."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Flavor, Keypair
from pocketstack.errors import BadRequest, QuotaExceeded
from pocketstack.services import quota
from pocketstack.services.compute.usage import project_usage
from pocketstack.services.context import RequestContext

GIB = 1024**3
MAX_METADATA_LENGTH = 255


@dataclass(frozen=True)
class BootRequest:
    """A server create, already shape-checked by the API."""

    name: str
    flavor_ref: str
    image_id: str | None
    networks: list[dict] | str | None = None
    security_groups: list[str] | None = None
    key_name: str | None = None
    user_data: str | None = None
    metadata: dict = field(default_factory=dict)
    availability_zone: str | None = None
    min_count: int = 1
    max_count: int = 1
    description: str | None = None
    tags: tuple[str, ...] = ()
    access_ipv4: str = ""
    access_ipv6: str = ""
    config_drive: bool = False
    disk_config: str = "MANUAL"
    server_group: str | None = None


def flavor_for_boot(session: Session, context: RequestContext, flavor_id: str) -> Flavor:
    flavor = session.get(Flavor, flavor_id)
    if flavor is None or not _flavor_visible(session, context, flavor):
        raise BadRequest(f"Flavor {flavor_id} could not be found.")
    return flavor


def _flavor_visible(session: Session, context: RequestContext, flavor: Flavor) -> bool:
    if flavor.is_public or context.is_admin:
        return True
    from pocketstack.db.models import compute

    access = getattr(compute, "FlavorAccess", None)
    if access is None:
        return False
    query = select(access).where(access.flavor_id == flavor.id,
                                 access.project_id == context.project_id)
    return session.scalars(query).first() is not None


def flavor_copy(flavor: Flavor) -> dict:
    """What a server keeps of its flavor (Nova embeds this from 2.47)."""
    return {
        "id": flavor.id, "name": flavor.name, "vcpus": flavor.vcpus, "ram": flavor.ram,
        "disk": flavor.disk, "ephemeral": flavor.ephemeral, "swap": flavor.swap or 0,
        "extra_specs": dict(flavor.extra_specs or {}),
    }


class FlavorSize(NamedTuple):
    """The sizes of a server's saved flavor copy (its Flavor row may be gone)."""

    ram: int
    disk: int


def check_image_fits(flavor: Flavor | FlavorSize, min_ram: int, min_disk: int) -> None:
    if min_ram and flavor.ram < min_ram:
        raise BadRequest("Flavor's memory is too small for requested image.")
    if min_disk and flavor.disk and flavor.disk < min_disk:
        raise BadRequest(
            "Flavor's disk is smaller than the minimum size specified in image metadata. "
            f"Flavor disk is {flavor.disk * GIB} bytes, minimum size is {min_disk * GIB} bytes."
        )


def keypair_for_boot(session: Session, context: RequestContext, key_name: str) -> Keypair:
    query = select(Keypair).where(Keypair.user_id == context.user_id, Keypair.name == key_name)
    keypair = session.scalars(query).first()
    if keypair is None:
        raise BadRequest("Invalid key_name provided.")
    return keypair


def check_availability_zone(zone: str | None) -> None:
    if zone not in (None, "", "nova"):
        raise BadRequest("The requested availability zone is not available")


def check_metadata(session: Session, project_id: str, metadata: dict) -> None:
    """Nova's rules: string keys of 1-255 characters, string values up to 255, and no more
    items than the project's ``metadata_items`` quota."""
    for key, value in metadata.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_METADATA_LENGTH:
            raise BadRequest("Invalid input for field/attribute metadata. Metadata property "
                             "key must be a string of 1 to 255 characters.")
        if not isinstance(value, str) or len(value) > MAX_METADATA_LENGTH:
            raise BadRequest(f"Invalid input for field/attribute metadata. Value of metadata "
                             f"item {key!r} must be a string of at most 255 characters.")
    allowed = quota.limits(session, project_id)["metadata_items"]
    if allowed != quota.UNLIMITED and len(metadata) > allowed:
        raise QuotaExceeded(f"Maximum number of metadata items exceeds {allowed}")


def servers_allowed(session: Session, project_id: str, flavor: Flavor,
                    min_count: int, max_count: int) -> int:
    """How many servers (between min and max count) fit the instances/cores/ram quotas.

    Raises QuotaExceeded with Nova's message when not even ``min_count`` fit.
    """
    limits = quota.limits(session, project_id)
    used = project_usage(session, project_id)
    each = {"instances": 1, "cores": flavor.vcpus, "ram": flavor.ram}
    fits = max_count
    for resource, size in each.items():
        limit = limits[resource]
        if limit != quota.UNLIMITED and size:
            fits = min(fits, max(0, (limit - used[resource]) // size))
    if fits >= min_count:
        return fits
    for resource, size in each.items():
        limit = limits[resource]
        if limit != quota.UNLIMITED and used[resource] + size * min_count > limit:
            raise QuotaExceeded(
                f"Quota exceeded for {resource}: Requested {size * min_count}, but already "
                f"used {used[resource]} of {limit} {resource}"
            )
    return min_count
