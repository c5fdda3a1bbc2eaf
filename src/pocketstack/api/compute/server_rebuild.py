"""The ``rebuild`` server action: a new image (and optionally name, metadata, key...) for
an existing server, answered with the server as ``PUT /servers/{id}`` shows it, plus its
key (from 2.54) and user data (from 2.57)."""

from __future__ import annotations

from fastapi.responses import JSONResponse, Response

from pocketstack.api.compute import server_requests as shapes
from pocketstack.api.compute.microversion import Version
from pocketstack.api.compute.server_views import ServerView, load_related
from pocketstack.errors import BadRequest
from pocketstack.services.compute import server_actions as actions
from pocketstack.services.context import RequestContext
from pocketstack.services.runtime import Cloud

KEYS = {"imageRef", "name", "metadata", "adminPass", "accessIPv4", "accessIPv6",
        "OS-DCF:diskConfig", "preserve_ephemeral"}
KEYS_FROM = {"description": "2.19", "key_name": "2.54", "user_data": "2.57",
             "trusted_image_certificates": "2.63"}


def _allowed(version: Version) -> set[str]:
    allowed = KEYS | {key for key, since in KEYS_FROM.items() if version.at_least(since)}
    if not version.at_least("2.57"):
        allowed.add("personality")
    return allowed


def _changes(value: dict) -> dict:
    """Column → new value for each field the rebuild body gives."""
    parsers = {
        "name": ("name", lambda: shapes.name(value, required=True)),
        "description": ("description", lambda: shapes.description(value)),
        "metadata": ("server_metadata", lambda: shapes.metadata(value)),
        "accessIPv4": ("access_ipv4", lambda: shapes.access_ip(value, "accessIPv4", 4)),
        "accessIPv6": ("access_ipv6", lambda: shapes.access_ip(value, "accessIPv6", 6)),
        "OS-DCF:diskConfig": ("disk_config", lambda: shapes.disk_config(value) or "MANUAL"),
        "user_data": ("user_data", lambda: shapes.user_data(value)),
    }
    return {column: parse() for key, (column, parse) in parsers.items() if key in value}


def parse_rebuild(value, version: Version) -> actions.Rebuild:
    if not isinstance(value, dict):
        raise shapes.invalid("rebuild", value, "rebuild must be an object.")
    shapes.reject_unknown(value, _allowed(version))
    if "imageRef" not in value:
        raise BadRequest("Invalid input for field/attribute rebuild. 'imageRef' is a required "
                         "property")
    image_id = shapes.image_ref({"imageRef": value["imageRef"]})
    if image_id is None:
        raise BadRequest("Invalid imageRef provided.")
    if value.get("personality"):
        raise BadRequest("Personality files are not supported; use user_data.")
    if value.get("trusted_image_certificates"):
        raise BadRequest("Image certificate validation is not enabled.")
    if value.get("key_name") is not None:
        shapes.optional_text(value, "key_name")
    return actions.Rebuild(image_id=image_id, changes=_changes(value),
                           key_name=value.get("key_name"), sets_key="key_name" in value)


def _rebuild_extras(server, version: Version) -> dict:
    """What the rebuild answer shows beyond the update view: the key (2.54), user data (2.57)."""
    extras = {}
    if version.at_least("2.54"):
        extras["key_name"] = server.key_name
    if version.at_least("2.57"):
        extras["user_data"] = server.user_data
    return extras


def rebuild(cloud: Cloud, context: RequestContext, version: Version, server_id: str,
            value) -> Response:
    request = parse_rebuild(value, version)
    with cloud.db.session() as session:
        server = actions.rebuild(session, context, server_id, request)
        session.flush()
        related = load_related(session, [server])
        body = ServerView(cloud, version, context.is_admin).updated(server, related)
        body.pop("OS-EXT-SRV-ATTR:user_data", None)  # shown as plain user_data instead
        body.update(_rebuild_extras(server, version))
    cloud.wake_agent()
    return JSONResponse({"server": body}, status_code=202)
