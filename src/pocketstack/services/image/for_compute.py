"""What compute asks of the image service: boot images and snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.image import Image, ImageProperty
from pocketstack.errors import BadRequest, Conflict, NotFound, PayloadTooLarge
from pocketstack.services.context import RequestContext
from pocketstack.services.image import access, data, rules
from pocketstack.services.runtime import Cloud

# Properties a snapshot does not inherit from its parent: they describe the parent's
# upload or its own snapshot lineage, which the snapshot replaces.
NOT_INHERITED = ("owner_specified.", "image_type", "instance_uuid", "base_image_ref",
                 "image_location", "image_state", "user_id", "img_signature")


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
    try:
        image = access.readable(session, context, image_id)
    except NotFound:
        image = None
    if image is None or image.status != "active":
        raise BadRequest(f"Image {image_id} could not be found.")
    properties = {
        **image.properties,
        "container_format": image.container_format or "",
        "disk_format": image.disk_format or "",
    }
    return BootImage(image.id, image.name or "", image.min_disk, image.min_ram, properties)


def image_summary(session: Session, image_ids: list[str]) -> dict[str, dict]:
    """``{id: {"id", "name"}}`` for server views; missing images are simply absent."""
    if not image_ids:
        return {}
    rows = session.execute(select(Image.id, Image.name).where(Image.id.in_(set(image_ids))))
    return {row.id: {"id": row.id, "name": row.name} for row in rows}


def start_snapshot(
    session: Session, context: RequestContext, *, name: str, server_id: str,
    parent_image_id: str, metadata: dict,
) -> str:
    """Create the snapshot's image row (status ``queued``, image_type ``snapshot``,
    ``instance_uuid`` and ``base_image_ref`` properties) and return its ID. Quota-checked.

    The snapshot is private to the caller's project and inherits the parent's formats,
    minimums and properties (Nova does the same); ``metadata`` is added on top.
    Quota: a project whose image storage is already full (per-project limit) is refused
    here (PayloadTooLarge); the deployment default is enforced when the data arrives.
    """
    context.require_writer()
    owner = context.require_project()
    parent = session.get(Image, parent_image_id)
    properties = _inherited(parent) if parent else {}
    properties.update(_metadata(metadata))
    properties.setdefault("image_type", "snapshot")  # the user's metadata may name it, as in Nova
    properties.update(instance_uuid=server_id, base_image_ref=parent_image_id)
    rules.property_count(properties)
    data.check_not_full(session, None, owner)
    image = Image(
        name=rules.base_value("name", name), owner=owner, visibility="private",
        container_format=parent.container_format if parent else "docker",
        disk_format=parent.disk_format if parent else "raw",
        min_disk=parent.min_disk if parent else 0, min_ram=parent.min_ram if parent else 0,
    )
    image.extra = [ImageProperty(name=k, value=v) for k, v in properties.items()]
    session.add(image)
    session.flush()
    return image.id


def _metadata(metadata: dict) -> dict[str, str]:
    """The user's snapshot metadata as extra properties; base or read-only keys refused."""
    for key in metadata:
        if key in rules.BASE or key == "id":
            raise BadRequest(f"Snapshot metadata may not set the image attribute '{key}'.")
        rules.refuse_protected_key(str(key))
    return {str(k): rules.property_value(str(k), v) for k, v in metadata.items()}


def _inherited(parent: Image) -> dict[str, str]:
    return {k: v for k, v in parent.properties.items() if not k.startswith(NOT_INHERITED)}


def finish_snapshot(cloud: Cloud, image_id: str, chunks: Iterable[bytes]) -> None:
    """Store the snapshot's data (streamed), set size and checksums, status ``active``.
    Called by the agent. Idempotent: an image already active is left alone.

    An image that is gone or ``killed`` (before or during the copy) is left alone too.
    Over the size cap or the owner's quota: the image is ``killed``, its data removed,
    and PayloadTooLarge raised. Any other failure puts it back to ``queued`` (so the
    agent can retry) and re-raises.
    """
    settings = cloud.settings
    with cloud.db.session() as session:
        image = session.get(Image, image_id)
        if image is None or image.status not in ("queued", "saving"):
            return
        image.status = "saving"
        upload = data.plan_upload(session, settings, image)
    staged = data.image_store(settings).stage(upload.limit, upload.refusal)
    try:
        for chunk in chunks:
            staged.write(chunk)
        with cloud.db.session() as session:
            data.finish_upload(session, settings, upload, staged)
    except PayloadTooLarge as error:
        fail_snapshot(cloud, image_id, error.message)
        raise
    except (data.ImageGone, Conflict):
        return
    except Exception:
        with cloud.db.session() as session:
            data.abort_upload(session, image_id)
        raise
    finally:
        staged.discard()


def fail_snapshot(cloud: Cloud, image_id: str, message: str) -> None:
    """Mark the snapshot image as failed (Glance has no ERROR: status ``killed``)."""
    with cloud.db.session() as session:
        image = session.get(Image, image_id)
        if image is not None and image.status != "active":
            image.status = "killed"
    data.image_store(cloud.settings).remove(image_id)


@dataclass(frozen=True)
class ImageLayers:
    """The files a compute driver stacks to make an image's root, top first, and whether
    the root image asks for the host's ``/usr`` as a read-only lower layer."""

    paths: tuple[str, ...]
    host_usr: bool


MAX_LAYERS = 64


def image_layers(session: Session, settings, image_id: str) -> ImageLayers:
    """Walk ``base_image_ref`` from ``image_id`` to its root image: each image's data file
    (``image_store`` path, which may be missing when the data is gone), top first.

    A parent whose row is gone still gets its path (a driver may hold its layer already);
    the walk stops there and ``host_usr`` comes from the deepest row found (snapshots
    copy their parent's properties). Cycles and chains over ``MAX_LAYERS`` stop the walk.
    """
    store = data.image_store(settings)
    paths: list[str] = []
    properties: dict = {}
    current: str | None = image_id
    while current and current not in {p.rsplit("/", 1)[-1] for p in paths}:
        paths.append(str(store.path(current)))
        image = session.get(Image, current)
        if image is None or len(paths) >= MAX_LAYERS:
            break
        properties = image.properties
        current = properties.get("base_image_ref") or None
    return ImageLayers(tuple(paths), properties.get("pocketstack_lower_usr") == "host")
