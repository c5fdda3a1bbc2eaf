"""PATCH /v2/images/{id}: JSON-patch operations on an image, with Glance's semantics.

The operations run against a plain document of the image's mutable attributes (so list
pointers such as ``/tags/0`` or ``/tags/-``, which openstacksdk sends, just work); the
result is validated and written in one go, so a failing operation changes nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pocketstack.errors import BadRequest, Conflict, Forbidden
from pocketstack.services.context import RequestContext
from pocketstack.services.image import access, rules
from pocketstack.services.image.images import set_attributes

OPERATIONS = ("add", "replace", "remove")


def from_draft10(operations):
    """Glance's v2.0 patch media type names the operation as the key
    (``{"replace": "/name", "value": "x"}``); rewrite it as RFC 6902 (``op``/``path``).
    Anything else is left for ``patch_image`` to judge."""
    if not isinstance(operations, list):
        return operations
    return [_draft10_operation(item) for item in operations]


def _draft10_operation(item):
    if not isinstance(item, dict) or "op" in item:
        return item
    named = [op for op in OPERATIONS if op in item]
    if len(named) != 1:
        return item
    rewritten = {key: value for key, value in item.items() if key != named[0]}
    return {"op": named[0], "path": item[named[0]], **rewritten}


def patch_image(session: Session, context: RequestContext, image_id: str, operations) -> object:
    image = access.writable(session, context, image_id)
    if not isinstance(operations, list):
        raise BadRequest("Request body must be a JSON array of operation objects.")
    base = {key: image.tags if key == "tags" else getattr(image, key) for key in rules.BASE}
    extras = image.properties
    for operation in operations:
        _apply(base, extras, operation)
    checked = {key: rules.base_value(key, value) for key, value in base.items()}
    set_attributes(context, image, checked, extras)
    session.flush()
    return image


def _pointer(operation: dict) -> list[str]:
    path = operation.get("path")
    if not isinstance(path, str) or not path.strip("/"):
        raise BadRequest(f"Unable to find '{path}' in JSON Schema change")
    parts = path.lstrip("/").split("/")
    return [part.replace("~1", "/").replace("~0", "~") for part in parts]


def _apply(base: dict, extras: dict, operation) -> None:
    if not isinstance(operation, dict) or operation.get("op") not in OPERATIONS:
        raise BadRequest(f"Operations must be JSON objects with an 'op' among {OPERATIONS}.")
    op = operation["op"]
    if op != "remove" and "value" not in operation:
        raise BadRequest(f"Operation '{op}' needs a 'value'.")
    key, *rest = _pointer(operation)
    rules.refuse_protected_key(key)
    value = operation.get("value")
    if key == "tags" and rest:
        _apply_to_list(base, op, rest, value)
    elif rest:
        raise BadRequest(f"Invalid JSON pointer for this resource: '/{key}/{'/'.join(rest)}'")
    elif key in rules.BASE:
        _apply_to_base(base, op, key, value)
    else:
        _apply_to_extra(extras, op, key, value)


def _apply_to_base(base: dict, op: str, key: str, value) -> None:
    if op != "remove":
        base[key] = value
    elif key == "tags":
        base[key] = []
    else:
        raise Forbidden(f"Attribute '{key}' cannot be removed.")


def _apply_to_extra(extras: dict, op: str, key: str, value) -> None:
    present = key in extras
    if op == "add" and present:
        raise Conflict(f"Property {key} already present.")
    if op in ("replace", "remove") and not present:
        raise Conflict(f"Property {key} does not exist.")
    if op == "remove":
        del extras[key]
    else:
        extras[key] = rules.property_value(key, value)


def _apply_to_list(base: dict, op: str, rest: list[str], value) -> None:
    tags = list(base["tags"])
    index = rest[0]
    if len(rest) != 1 or not (index == "-" or index.isdigit()):
        raise BadRequest(f"Invalid tag pointer '/tags/{'/'.join(rest)}'")
    position = len(tags) if index == "-" else int(index)
    limit = len(tags) if op == "add" else len(tags) - 1
    if position > limit:
        raise Conflict(f"Tag index {index} is out of range.")
    if op == "add":
        tags.insert(position, value)
    elif op == "replace":
        tags[position] = value
    else:
        del tags[position]
    base["tags"] = tags
