"""The agent side of the metadata service: answers the network driver's listeners from the
state store (the driver owns the sockets, one per router namespace; see
``drivers/network/metadata_listener.py``)."""

from __future__ import annotations

import logging

from pocketstack.services import metadata
from pocketstack.services.runtime import Cloud

log = logging.getLogger(__name__)


class MetadataResponder:
    """Callable ``(router_id, source_ip, path) -> (status, content_type, body)``."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud

    def __call__(self, router_id: str, source_ip: str, path: str) -> metadata.Answer:
        try:
            with self.cloud.db.session() as session:
                return metadata.answer(session, router_id, source_ip, path)
        except Exception:  # never let a bad row kill the listener thread
            log.exception("metadata request %s from %s failed", path, source_ip)
            return 500, metadata.TEXT, b"Internal Server Error"
