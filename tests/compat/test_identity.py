"""Login and the service catalog, as the stock clients see them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.compat

CATALOG_TYPES = {"identity", "compute", "image", "network"}


def test_token_issue_returns_a_future_expiry_for_the_demo_project(cloud):
    token = cloud.openstack("token", "issue")
    projects = {p["ID"]: p["Name"] for p in cloud.openstack("project", "list", as_=cloud.admin)}

    assert token["id"]
    assert projects[token["project_id"]] == "demo"
    expires = datetime.fromisoformat(token["expires"])
    assert expires > datetime.now(UTC)


def test_catalog_lists_identity_compute_image_network_in_region_one(cloud):
    catalog = cloud.openstack("catalog", "list")

    assert CATALOG_TYPES <= {entry["Type"] for entry in catalog}
    for entry in catalog:
        if entry["Type"] not in CATALOG_TYPES:
            continue
        endpoints = entry["Endpoints"]
        public = [e for e in endpoints if e["interface"] == "public"]
        assert public, entry
        assert all(e["region"] == "RegionOne" for e in public), entry
        assert all(e["url"].startswith(cloud.url) for e in public), entry
