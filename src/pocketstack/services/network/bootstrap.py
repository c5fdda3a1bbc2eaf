"""The default networks made at first start (filled in by the network service)."""

from pocketstack.services.runtime import Cloud


def ensure_default_networks(cloud: Cloud, *, admin_project_id: str, demo_project_id: str) -> None:
    """Create ``public``, demo's ``private`` with its subnet and router. Idempotent."""
