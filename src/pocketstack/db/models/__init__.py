"""Every table of the state store, one module per domain."""

from pocketstack.db.models import (  # noqa: F401
    autoscaling,
    compute,
    identity,
    image,
    loadbalancer,
    network,
    quota,
)
