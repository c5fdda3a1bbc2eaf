"""Shape checks for server create and update bodies, as Nova's JSON schemas make them.

The bodies are too loose and too versioned for one pydantic model, so they are checked
here explicitly; anything unknown or malformed is a 400 with Nova's wording.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import uuid

from pocketstack.api.compute.microversion import Version
from pocketstack.errors import BadRequest, Forbidden
from pocketstack.services.compute.boot import BootRequest
from pocketstack.services.context import RequestContext

MAX_USER_DATA = 65535
BOOLEAN_TEXT = {"true": True, "1": True, "yes": True, "on": True, "y": True, "t": True,
                "false": False, "0": False, "no": False, "off": False, "n": False, "f": False,
                "": False}
CREATE_KEYS = {
    "name", "imageRef", "flavorRef", "adminPass", "metadata", "networks", "user_data",
    "security_groups", "key_name", "availability_zone", "block_device_mapping",
    "block_device_mapping_v2", "config_drive", "min_count", "max_count",
    "return_reservation_id", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig",
}
CREATE_KEYS_FROM = {"description": "2.19", "tags": "2.52",
                    "trusted_image_certificates": "2.63", "host": "2.74",
                    "hypervisor_hostname": "2.74"}
UPDATE_KEYS = {"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}
NAME_PATTERN = re.compile(r"^\S(.*\S)?$", re.DOTALL)


def invalid(field: str, value, why: str) -> BadRequest:
    return BadRequest(f"Invalid input for field/attribute {field}. Value: {value}. {why}")


def server_part(body, allowed_top: set[str]) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("server"), dict):
        raise BadRequest("Invalid input for field/attribute server. 'server' is a required "
                         "property and must be an object.")
    reject_unknown(body, {"server", *allowed_top})
    return body["server"]


def reject_unknown(part: dict, allowed: set[str]) -> None:
    unknown = sorted(set(part) - allowed)
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        raise BadRequest(f"Additional properties are not allowed ({names} "
                         f"{'was' if len(unknown) == 1 else 'were'} unexpected)")


def parse_create(body, version: Version, context: RequestContext) -> tuple[BootRequest, bool]:
    """The BootRequest in ``body`` and whether the caller wants only the reservation ID."""
    hints = {"os:scheduler_hints", "OS-SCH-HNT:scheduler_hints"}
    server = server_part(body, hints)
    allowed = CREATE_KEYS | {key for key, since in CREATE_KEYS_FROM.items()
                             if version.at_least(since)}
    if not version.at_least("2.57"):
        allowed.add("personality")
    reject_unknown(server, allowed)
    check_destination(server, context)
    min_count, max_count = counts(server)
    request = BootRequest(
        name=name(server, required=True),
        flavor_ref=flavor_ref(server),
        image_id=image_ref(server),
        networks=networks(server, version),
        security_groups=security_groups(server),
        key_name=optional_text(server, "key_name"),
        user_data=user_data(server),
        metadata=metadata(server),
        availability_zone=optional_text(server, "availability_zone"),
        min_count=min_count, max_count=max_count,
        description=description(server),
        tags=tuple(tags(server.get("tags", []))),
        access_ipv4=access_ip(server, "accessIPv4", 4),
        access_ipv6=access_ip(server, "accessIPv6", 6),
        config_drive=boolean(server, "config_drive"),
        disk_config=disk_config(server) or "MANUAL",
        server_group=server_group_hint(body, hints),
    )
    if server.get("trusted_image_certificates"):
        raise BadRequest("Image certificate validation is not enabled.")
    return request, boolean(server, "return_reservation_id")


def parse_update(body, version: Version) -> dict:
    """Column → value for ``PUT /servers/{id}``."""
    server = server_part(body, set())
    reject_unknown(server, UPDATE_KEYS | ({"description"} if version.at_least("2.19") else set()))
    columns = {"name": "name", "description": "description", "accessIPv4": "access_ipv4",
               "accessIPv6": "access_ipv6", "OS-DCF:diskConfig": "disk_config"}
    parsers = {"name": lambda: name(server, required=True), "description": lambda: description(server),
               "accessIPv4": lambda: access_ip(server, "accessIPv4", 4),
               "accessIPv6": lambda: access_ip(server, "accessIPv6", 6),
               "OS-DCF:diskConfig": lambda: disk_config(server)}
    return {columns[key]: parsers[key]() for key in server}


def server_group_hint(body: dict, hint_keys: set[str]) -> str | None:
    """The ``group`` scheduler hint (a server group's UUID); other hints are accepted and
    have nothing to choose between on one host."""
    hints = next((body[key] for key in hint_keys if key in body), {})
    if not isinstance(hints, dict):
        raise invalid("scheduler_hints", hints, "Scheduler hints must be an object.")
    group = hints.get("group")
    if group is None:
        return None
    try:
        return str(uuid.UUID(str(group)))
    except ValueError:
        raise invalid("group", group, f"'{group}' is not a 'uuid'.") from None


def check_destination(server: dict, context: RequestContext) -> None:
    if ("host" in server or "hypervisor_hostname" in server) and not context.is_admin:
        raise Forbidden("Policy doesn't allow compute:servers:create:requested_destination to "
                        "be performed.")


def name(server: dict, *, required: bool) -> str:
    if "name" not in server and required:
        raise BadRequest("Invalid input for field/attribute server. 'name' is a required property")
    value = server.get("name")
    if not isinstance(value, str) or not 1 <= len(value) <= 255 or not NAME_PATTERN.match(value):
        raise invalid("name", value, "A name must be 1 to 255 characters with no leading or "
                                     "trailing whitespace.")
    return value


def description(server: dict) -> str | None:
    value = server.get("description")
    if value is not None and (not isinstance(value, str) or len(value) > 255):
        raise invalid("description", value, "A description is at most 255 characters.")
    return value


def optional_text(server: dict, field: str) -> str | None:
    value = server.get(field)
    if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 255):
        raise invalid(field, value, f"{field} must be a string of 1 to 255 characters.")
    return value


def last_segment(value) -> str:
    return str(value).rstrip("/").rsplit("/", 1)[-1]


def flavor_ref(server: dict) -> str:
    value = server.get("flavorRef")
    if value is None:
        raise BadRequest("Invalid input for field/attribute server. 'flavorRef' is a required "
                         "property")
    if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value) == "":
        raise BadRequest("Invalid flavorRef provided.")
    return last_segment(value)


def image_ref(server: dict) -> str | None:
    image_id = server.get("imageRef") or None
    boot_image = image_from_mappings(server)
    image_id = last_segment(image_id) if image_id is not None else boot_image
    if image_id is not None and not is_uuid(image_id):
        raise BadRequest("Invalid imageRef provided.")
    return image_id


def image_from_mappings(server: dict) -> str | None:
    """The boot image of ``block_device_mapping_v2``: only image → local disk is supported."""
    if server.get("block_device_mapping"):
        raise BadRequest("Block Device Mapping is Invalid: the legacy block_device_mapping is "
                         "not supported; this cloud has no block storage.")
    mappings = server.get("block_device_mapping_v2") or []
    if not isinstance(mappings, list) or not all(isinstance(item, dict) for item in mappings):
        raise invalid("block_device_mapping_v2", mappings, "It must be a list of objects.")
    image_id = None
    for mapping in mappings:
        local_image = (mapping.get("source_type") == "image"
                       and mapping.get("destination_type", "local") == "local"
                       and str(mapping.get("boot_index")) == "0")
        if not local_image:
            raise BadRequest("Block Device Mapping is Invalid: only booting from an image to "
                             "a local disk is supported; this cloud has no block storage.")
        image_id = mapping.get("uuid")
    return image_id


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def networks(server: dict, version: Version):
    if "networks" not in server:
        if version.at_least("2.37"):
            raise BadRequest("Invalid input for field/attribute server. 'networks' is a required "
                             "property")
        return None
    value = server["networks"]
    if isinstance(value, str) and version.at_least("2.37") and value in ("auto", "none"):
        return value
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid("networks", value, "networks must be a list of objects"
                      + (" or 'auto' or 'none'." if version.at_least("2.37") else "."))
    for item in value:
        reject_unknown(item, {"uuid", "port", "fixed_ip", "tag"})
        for key in ("uuid", "port"):
            if item.get(key) is not None and not is_uuid(str(item[key])):
                raise BadRequest(f"Bad networks format: network uuid is not in proper format "
                                 f"({item[key]})")
    return value


def security_groups(server: dict) -> list[str] | None:
    value = server.get("security_groups")
    if value is None:
        return None
    if not isinstance(value, list) or not all(
            isinstance(item, dict) and isinstance(item.get("name"), str) for item in value):
        raise invalid("security_groups", value, "Each security group must be {\"name\": ...}.")
    return list(dict.fromkeys(item["name"] for item in value))


def user_data(server: dict) -> str | None:
    value = server.get("user_data")
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_USER_DATA:
        raise invalid("user_data", "...", f"user_data must be base64 text of at most "
                                          f"{MAX_USER_DATA} characters.")
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("User data needs to be valid base 64.") from None
    return value


def metadata(server: dict) -> dict:
    value = server.get("metadata", {})
    if not isinstance(value, dict):
        raise invalid("metadata", value, "metadata must be an object.")
    return value


def tags(value) -> list[str]:
    if not isinstance(value, list) or len(value) > 50:
        raise invalid("tags", value, "tags must be a list of at most 50 strings.")
    for tag in value:
        check_tag(tag)
    return value


def check_tag(tag) -> None:
    if not isinstance(tag, str) or not 1 <= len(tag) <= 60 or "/" in tag or "," in tag:
        raise invalid("tags", tag, "A tag is 1 to 60 characters without '/' or ','.")


def counts(server: dict) -> tuple[int, int]:
    def count(field: str, default: int) -> int:
        value = server.get(field, default)
        if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
            raise invalid(field, value, f"{field} must be an integer of at least 1.")
        return int(value)

    min_count = count("min_count", 1)
    max_count = count("max_count", min_count)
    if min_count > max_count:
        raise BadRequest("min_count must be <= max_count")
    return min_count, max_count


def access_ip(server: dict, field: str, version: int) -> str:
    value = server.get(field)
    if value in (None, ""):
        return ""
    try:
        address = ipaddress.ip_address(value)
    except (ValueError, TypeError):
        address = None
    if address is None or address.version != version:
        raise invalid(field, value, f"It is not a valid IPv{version} address.")
    return str(address)


def boolean(server: dict, field: str) -> bool:
    value = server.get(field, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in BOOLEAN_TEXT:
        return BOOLEAN_TEXT[value.lower()]
    raise invalid(field, value, f"{field} must be a boolean.")


def disk_config(server: dict) -> str | None:
    value = server.get("OS-DCF:diskConfig")
    if value is not None and value not in ("AUTO", "MANUAL"):
        raise invalid("OS-DCF:diskConfig", value, "It must be AUTO or MANUAL.")
    return value
