"""The default image made at first start (filled in by the image service)."""

from pocketstack.services.runtime import Cloud


def ensure_default_image(cloud: Cloud, *, owner_project_id: str) -> None:
    """Create the default image if it is missing. Idempotent."""
