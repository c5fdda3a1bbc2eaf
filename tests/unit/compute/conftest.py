"""Fixtures for compute tests (the server ones live in server_helpers.py)."""

from tests.unit.compute.server_helpers import active_server, image_id, keypair  # noqa: F401
