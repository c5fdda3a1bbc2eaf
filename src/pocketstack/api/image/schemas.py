"""/v2/schemas/*: the JSON-schema documents Glance clients fetch to validate and display."""

from __future__ import annotations

from pocketstack.api.common import APIRouter, Caller
from pocketstack.services.image import rules

router = APIRouter(prefix="/v2/schemas")

UUID_PATTERN = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
                "-([0-9a-fA-F]){12}$")
NULLABLE_TEXT = {"type": ["null", "string"], "maxLength": 255}


def _read_only(kind, description: str, **extra) -> dict:
    return {"type": kind, "readOnly": True, "description": description, **extra}


def image_schema() -> dict:
    properties = {
        "id": {"type": "string", "pattern": UUID_PATTERN, "description": "Image ID"},
        "name": {**NULLABLE_TEXT, "description": "Image name"},
        "status": _read_only("string", "Image status", enum=list(rules.STATUSES)),
        "visibility": {"type": "string", "enum": list(rules.VISIBILITIES),
                       "description": "Who may see the image"},
        "protected": {"type": "boolean", "description": "Whether deleting is refused"},
        "os_hidden": {"type": "boolean", "description": "Whether default lists omit it"},
        "checksum": _read_only(["null", "string"], "MD5 of the data", maxLength=32),
        "os_hash_algo": _read_only(["null", "string"], "Algorithm of os_hash_value",
                                   maxLength=64),
        "os_hash_value": _read_only(["null", "string"], "Hex digest of the data",
                                    maxLength=128),
        "owner": {**NULLABLE_TEXT, "description": "Owning project"},
        "size": _read_only(["null", "integer"], "Data size in bytes"),
        "virtual_size": _read_only(["null", "integer"], "Virtual disk size in bytes"),
        "container_format": {"type": ["null", "string"],
                             "enum": [None, *rules.CONTAINER_FORMATS],
                             "description": "Container format"},
        "disk_format": {"type": ["null", "string"], "enum": [None, *rules.DISK_FORMATS],
                        "description": "Disk format"},
        "min_disk": {"type": "integer", "description": "Disk (GiB) needed to boot"},
        "min_ram": {"type": "integer", "description": "RAM (MiB) needed to boot"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 255},
                 "description": "Tags"},
        "created_at": _read_only("string", "Creation time"),
        "updated_at": _read_only("string", "Last change time"),
        "self": _read_only("string", "This image's URL"),
        "file": _read_only("string", "The URL of the image data"),
        "schema": _read_only("string", "The URL of this schema"),
        "direct_url": _read_only("string", "Not exposed by this cloud"),
        "locations": _read_only("array", "Not exposed by this cloud"),
    }
    return {
        "name": "image",
        "properties": properties,
        "additionalProperties": {"type": "string"},
        "links": [{"rel": "self", "href": "{self}"}, {"rel": "enclosure", "href": "{file}"},
                  {"rel": "describedby", "href": "{schema}"}],
    }


def _collection(name: str, item: dict, links: list[dict]) -> dict:
    return {
        "name": name,
        "properties": {name: {"type": "array", "items": item}, "schema": {"type": "string"},
                       **({"first": {"type": "string"}, "next": {"type": "string"}}
                          if name == "images" else {})},
        "links": links,
    }


def member_schema() -> dict:
    return {
        "name": "member",
        "properties": {
            "image_id": {"type": "string", "pattern": UUID_PATTERN},
            "member_id": {"type": "string"},
            "status": {"type": "string", "enum": ["pending", "accepted", "rejected"]},
            "created_at": _read_only("string", "When the image was shared"),
            "updated_at": _read_only("string", "When the member last answered"),
            "schema": _read_only("string", "The URL of this schema"),
        },
    }


@router.get("/image")
def image(_who: Caller) -> dict:
    return image_schema()


@router.get("/images")
def images(_who: Caller) -> dict:
    links = [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"},
             {"rel": "describedby", "href": "{schema}"}]
    return _collection("images", image_schema(), links)


@router.get("/member")
def member(_who: Caller) -> dict:
    return member_schema()


@router.get("/members")
def members(_who: Caller) -> dict:
    return _collection("members", member_schema(), [{"rel": "describedby", "href": "{schema}"}])
