"""HTTP-only errors of the image API (the shared hierarchy has no 415 or 416)."""

from __future__ import annotations

from pocketstack.errors import CloudError


class UnsupportedMediaType(CloudError):
    status, title, compute_key, neutron_type = (415, "Unsupported Media Type", "badMediaType",
                                                "BadRequest")


class RangeNotSatisfiable(CloudError):
    status, title, compute_key, neutron_type = (416, "Requested Range Not Satisfiable",
                                                "badRequest", "BadRequest")
