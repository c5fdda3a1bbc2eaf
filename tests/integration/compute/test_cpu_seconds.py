"""The namespace driver's CPU counter (autoscaling's ``cpu`` metric) on a real kernel."""

from __future__ import annotations

import uuid

import pytest

from pocketstack.errors import DriverError

from .helpers import inside, spec

pytestmark = pytest.mark.root


def test_cpu_seconds_counts_work_done_inside(driver, base_image):
    server = spec(str(uuid.uuid4()), [base_image])
    driver.spawn(server)
    before = driver.cpu_seconds(server.id)
    inside(driver, server.id, "python3 -c 'sum(range(60_000_000))'")
    after = driver.cpu_seconds(server.id)
    assert after - before >= 0.1, (before, after)
    driver.destroy(server.id)
    with pytest.raises(DriverError):
        driver.cpu_seconds(server.id)
