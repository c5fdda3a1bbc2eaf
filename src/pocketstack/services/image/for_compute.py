"""What compute asks of the image service: boot images and snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pocketstack.services.context import RequestContext
from pocketstack.services.runtime import Cloud


@dataclass(frozen=True)
class BootImage:
    id: str
    name: str
    min_disk: int
    min_ram: int
    properties: dict


def image_for_boot(session: Session, context: RequestContext, image_id: str) -> BootImage:
    """The active image ``image_id`` visible to ``context``; BadRequest ("Image <id> could
    not be found.") when it is missing, hidden, or not active."""
    raise NotImplementedError


def image_summary(session: Session, image_ids: list[str]) -> dict[str, dict]:
    """``{id: {"id", "name"}}`` for server views; missing images are simply absent."""
    raise NotImplementedError


def start_snapshot(
    session: Session, context: RequestContext, *, name: str, server_id: str,
    parent_image_id: str, metadata: dict,
) -> str:
    """Create the snapshot's image row (status ``queued``, image_type ``snapshot``,
    ``instance_uuid`` and ``base_image_ref`` properties) and return its ID. Quota-checked."""
    raise NotImplementedError


def finish_snapshot(cloud: Cloud, image_id: str, chunks: Iterable[bytes]) -> None:
    """Store the snapshot's data (streamed), set size and checksums, status ``active``.
    Called by the agent. Idempotent: an image already active is left alone."""
    raise NotImplementedError


def fail_snapshot(cloud: Cloud, image_id: str, message: str) -> None:
    """Mark the snapshot image as failed (Glance has no ERROR: status ``killed``)."""
    raise NotImplementedError
