"""The service catalog: every API this process serves, at one public URL.

The catalog is fixed by the deployment's settings: services, endpoints and the region are
computed, never stored, and cannot be changed through the API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pocketstack.config import Settings

_NAMESPACE = uuid.UUID("6d0f3a4e-6f1b-4d0c-9a57-0c6b8f6b1f00")


@dataclass(frozen=True)
class ServiceEntry:
    type: str
    name: str
    path: str


SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry("identity", "keystone", "identity"),
    ServiceEntry("compute", "nova", "compute/v2.1"),
    ServiceEntry("image", "glance", "image"),
    ServiceEntry("network", "neutron", "network"),
    ServiceEntry("load-balancer", "octavia", "load-balancer"),
    ServiceEntry("autoscaling", "pocketstack-autoscaling", "autoscaling/v1"),
)


def stable_id(*parts: str) -> str:
    return uuid.uuid5(_NAMESPACE, "/".join(parts)).hex


def service_catalog(settings: Settings) -> list[dict]:
    """The catalog in Keystone v3 token shape; only ``public`` endpoints are listed."""
    return [
        {
            "id": stable_id("service", entry.type),
            "type": entry.type,
            "name": entry.name,
            "endpoints": [
                {
                    "id": stable_id("endpoint", entry.type, "public"),
                    "interface": "public",
                    "region": settings.region,
                    "region_id": settings.region,
                    "url": settings.url(entry.path),
                }
            ],
        }
        for entry in SERVICES
    ]


FIXED = "The service catalog is fixed by pocketstack and cannot be changed through the API."


def services(settings: Settings) -> list[dict]:
    del settings  # the same services in every deployment
    return [
        {"id": stable_id("service", entry.type), "type": entry.type, "name": entry.name,
         "enabled": True, "description": f"pocketstack {entry.type} service"}
        for entry in SERVICES
    ]


def endpoints(settings: Settings) -> list[dict]:
    return [
        {
            "id": stable_id("endpoint", entry.type, "public"),
            "interface": "public",
            "region": settings.region,
            "region_id": settings.region,
            "service_id": stable_id("service", entry.type),
            "url": settings.url(entry.path),
            "enabled": True,
        }
        for entry in SERVICES
    ]


def regions(settings: Settings) -> list[dict]:
    return [{"id": settings.region, "description": "", "parent_region_id": None}]
