"""What an image's attributes may hold, and who may set them (Glance's schema and policy)."""

from __future__ import annotations

import uuid

from pocketstack.errors import BadRequest, Forbidden, PayloadTooLarge
from pocketstack.services.context import RequestContext

CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
VISIBILITIES = ("public", "private", "shared", "community")
STATUSES = ("queued", "saving", "active", "killed", "deleted", "pending_delete", "deactivated",
            "uploading", "importing")

READ_ONLY = frozenset({
    "checksum", "created_at", "direct_url", "file", "os_hash_algo", "os_hash_value", "schema",
    "self", "size", "status", "updated_at", "virtual_size", "locations", "stores",
})
RESERVED = frozenset({"location", "deleted", "deleted_at"})
RESERVED_PREFIX = "os_glance"
# Attributes stored in columns; everything else is an extra (string) property.
BASE = ("name", "visibility", "protected", "os_hidden", "container_format", "disk_format",
        "min_disk", "min_ram", "tags", "owner")

MAX_PROPERTIES = 128
MAX_TAGS = 128
MAX_PROPERTY_VALUE = 65535


def refuse_protected_key(key: str, *, creating: bool = False) -> None:
    """Forbidden for an attribute no request may set (``id`` only at creation)."""
    if key in READ_ONLY or (key == "id" and not creating):
        raise Forbidden(f"Attribute '{key}' is read-only.")
    if key in RESERVED or key.startswith(RESERVED_PREFIX):
        raise Forbidden(f"Attribute '{key}' is reserved.")


def schema_error(detail: str) -> BadRequest:
    return BadRequest(f"Provided object does not match schema 'image': {detail}")


def _choice(key: str, value, allowed: tuple) -> str | None:
    if value is not None and value not in allowed:
        raise schema_error(f"{value!r} is not one of {list(allowed)} (attribute '{key}')")
    return value


def _count(key: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise schema_error(f"{value!r} is not a non-negative integer (attribute '{key}')")
    return value


def _flag(key: str, value) -> bool:
    if not isinstance(value, bool):
        raise schema_error(f"{value!r} is not of type 'boolean' (attribute '{key}')")
    return value


def _short_text(key: str, value, *, nullable: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or len(value) > 255:
        raise schema_error(f"{value!r} is not a string of at most 255 characters "
                           f"(attribute '{key}')")
    return value


def tag_list(value) -> list[str]:
    if not isinstance(value, list):
        raise schema_error(f"{value!r} is not of type 'array' (attribute 'tags')")
    tags = [tag_value(tag) for tag in value]
    if len(set(tags)) > MAX_TAGS:
        raise PayloadTooLarge(f"Maximum number of tags exceeded: {MAX_TAGS} allowed.")
    return sorted(set(tags))


def tag_value(value) -> str:
    if not isinstance(value, str) or not value or len(value) > 255:
        raise BadRequest(f"Invalid tag {value!r}: a tag is a string of 1 to 255 characters.")
    return value


CHECKS = {
    "name": lambda v: _short_text("name", v),
    "owner": lambda v: _short_text("owner", v),
    "visibility": lambda v: _choice("visibility", v, VISIBILITIES) or _missing("visibility"),
    "container_format": lambda v: _choice("container_format", v, CONTAINER_FORMATS),
    "disk_format": lambda v: _choice("disk_format", v, DISK_FORMATS),
    "protected": lambda v: _flag("protected", v),
    "os_hidden": lambda v: _flag("os_hidden", v),
    "min_disk": lambda v: _count("min_disk", v),
    "min_ram": lambda v: _count("min_ram", v),
    "tags": tag_list,
}


def _missing(key: str):
    raise schema_error(f"None is not a valid value (attribute '{key}')")


def base_value(key: str, value):
    """``value`` checked for base attribute ``key``; BadRequest when it does not fit."""
    return CHECKS[key](value)


def property_value(key: str, value) -> str:
    if not key or len(key) > 255:
        raise schema_error(f"property name {key!r} must have 1 to 255 characters")
    if not isinstance(value, str):
        raise schema_error(f"{value!r} is not of type 'string' (attribute '{key}')")
    if len(value) > MAX_PROPERTY_VALUE:
        raise schema_error(f"the value of '{key}' is too long")
    return value


def property_count(properties: dict) -> None:
    if len(properties) > MAX_PROPERTIES:
        raise PayloadTooLarge(f"Maximum number of image properties exceeded: "
                              f"{MAX_PROPERTIES} allowed.")


def image_id(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise schema_error(f"{value!r} is not a valid image id (a UUID)") from None


def check_policy(context: RequestContext, key: str, new, old=None) -> None:
    """Forbidden for changes only an admin may make: publicising, giving an image away."""
    if context.is_admin or new == old:
        return
    if key == "visibility" and new == "public":
        raise Forbidden("You are not authorized to complete publicize_image action.")
    if key == "owner" and new != context.project_id:
        raise Forbidden(f"You are not permitted to create images owned by '{new}'.")
