"""The soak tests are root tests: the integration tests' prefix fixture and root skip."""

from tests.integration.conftest import prefix, pytest_collection_modifyitems  # noqa: F401
