"""One error hierarchy for the whole cloud.

Services raise these; each API package renders them in its own service's envelope
(compute ``{"itemNotFound": ...}``, network ``{"NeutronError": ...}``, identity
``{"error": ...}``). Library errors are mapped to them in one table (``from_library``).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, NoResultFound


class CloudError(Exception):
    status: int = 500
    title: str = "Internal Server Error"
    compute_key: str = "computeFault"
    neutron_type: str = "InternalError"

    def __init__(self, message: str, *, neutron_type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if neutron_type:
            self.neutron_type = neutron_type


class BadRequest(CloudError):
    status, title, compute_key, neutron_type = 400, "Bad Request", "badRequest", "BadRequest"


class Unauthorized(CloudError):
    status, title, compute_key, neutron_type = 401, "Unauthorized", "unauthorized", "NotAuthorized"


class Forbidden(CloudError):
    status, title, compute_key, neutron_type = 403, "Forbidden", "forbidden", "PolicyNotAuthorized"


class NotFound(CloudError):
    status, title, compute_key, neutron_type = 404, "Not Found", "itemNotFound", "NotFound"


class MethodNotAllowed(CloudError):
    status, title, compute_key, neutron_type = 405, "Method Not Allowed", "badMethod", "BadRequest"


class Conflict(CloudError):
    status, title, compute_key, neutron_type = 409, "Conflict", "conflictingRequest", "Conflict"


class PayloadTooLarge(CloudError):
    status, title, compute_key, neutron_type = 413, "Request Entity Too Large", "overLimit", "BadRequest"


class QuotaExceeded(CloudError):
    """Over a project's quota: Nova answers 403 ``forbidden``, Neutron 409 ``OverQuota``."""

    status, title, compute_key, neutron_type = 403, "Forbidden", "forbidden", "OverQuota"


class ServiceUnavailable(CloudError):
    status, title, compute_key, neutron_type = 503, "Service Unavailable", "serviceUnavailable", "ServiceUnavailable"


class DriverError(CloudError):
    """A driver could not do what was asked. ``permanent`` errors put the resource in ERROR."""

    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


LIBRARY_ERRORS: dict[type[Exception], CloudError] = {
    NoResultFound: NotFound("Resource could not be found."),
    IntegrityError: Conflict("The request conflicts with the current state of a resource."),
}


def from_library(exc: Exception) -> CloudError:
    """The CloudError a library exception stands for (see LIBRARY_ERRORS)."""
    for kind, error in LIBRARY_ERRORS.items():
        if isinstance(exc, kind):
            return error
    return CloudError("An unexpected error prevented the server from fulfilling your request.")
