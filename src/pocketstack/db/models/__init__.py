"""Every table of the state store, one module per domain."""

from pocketstack.db.models import compute, identity, image, network, quota  # noqa: F401
