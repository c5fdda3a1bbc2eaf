"""The split shape (``up --no-agent`` + ``pocketstack agent``): only the process that runs
the agent owns host cleanup. The API alone must not delete a half-extracted image layer
(the agent beside it may be extracting it right now) nor touch the kernel's network."""

from __future__ import annotations

import pytest

from pocketstack.config import Settings
from pocketstack.drivers.compute.layers import TEMP_PREFIX
from pocketstack.drivers.compute.namespace import NamespaceComputeDriver
from pocketstack.wiring import assemble

pytestmark = pytest.mark.root


def test_only_the_agent_process_removes_partial_layers(prefix, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", prefix=prefix, driver="namespace")
    partial = settings.data_dir / "layers" / f"{TEMP_PREFIX}image-x"
    partial.mkdir(parents=True)

    api_alone = assemble(settings, start_agent=False, with_agent=False)
    try:
        assert partial.is_dir()
        assert api_alone.agent.reconcilers == []
    finally:
        api_alone.cloud.db.dispose()

    NamespaceComputeDriver(settings)  # what `pocketstack agent` makes at its start
    assert not partial.exists()
