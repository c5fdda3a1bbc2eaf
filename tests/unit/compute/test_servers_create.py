"""POST /servers: validation before any write, quota, multi-create, and the build."""

from __future__ import annotations

import base64

from sqlalchemy import func, select

from pocketstack.db.models.compute import Server
from pocketstack.services import quota
from tests.unit.compute.server_helpers import boot, mv, show, wait_for


def server_rows(deployment) -> int:
    with deployment.cloud.db.session() as session:
        return session.scalar(select(func.count()).select_from(Server))


def test_boot_at_2_1_without_networks_becomes_active(demo, image_id, keypair):
    created = boot(demo, image_id, name="php", key_name=keypair)
    server = created["server"]
    assert set(server) == {"id", "links", "OS-DCF:diskConfig", "security_groups"}
    assert "adminPass" not in server
    assert server["security_groups"] == [{"name": "default"}]
    assert server["links"][0]["href"].endswith(f"/compute/v2.1/servers/{server['id']}")
    shown = wait_for(demo, server["id"], "ACTIVE")
    assert shown["OS-EXT-STS:power_state"] == 1
    assert shown["OS-EXT-STS:vm_state"] == "active"
    assert shown["OS-SRV-USG:launched_at"]
    assert shown["key_name"] == "k"
    assert shown["image"]["id"] == image_id
    assert shown["flavor"]["id"] == "1"
    assert shown["hostId"]
    [(label, addresses)] = shown["addresses"].items()
    assert label == "private"
    assert addresses[0]["OS-EXT-IPS:type"] == "fixed"
    assert addresses[0]["version"] == 4


def test_addresses_show_while_building(demo, image_id, deployment):
    deployment.agent.stop()
    server = boot(demo, image_id)["server"]
    shown = show(demo, server["id"]).json()["server"]
    assert shown["status"] == "BUILD"
    assert shown["OS-EXT-STS:task_state"] == "scheduling"
    assert shown["progress"] == 0
    assert shown["addresses"]


def test_openstack_client_shape_with_network_and_block_device_mapping(demo, image_id):
    networks = demo.get("/network/v2.0/networks?name=private").json()["networks"]
    body = {
        "name": "s1", "imageRef": image_id, "flavorRef": "1",
        "block_device_mapping_v2": [{"boot_index": 0, "uuid": image_id, "source_type": "image",
                                     "destination_type": "local",
                                     "delete_on_termination": True}],
        "networks": [{"uuid": networks[0]["id"]}],
        "security_groups": [{"name": "default"}],
        "min_count": 1, "max_count": 1,
    }
    response = demo.post("/compute/v2.1/servers", json={"server": body}, headers=mv("2.79"))
    assert response.status_code == 202, response.text
    shown = wait_for(demo, response.json()["server"]["id"], "ACTIVE", version="2.79")
    assert list(shown["addresses"]) == ["private"]
    assert shown["security_groups"] == [{"name": "default"}]


def test_networks_required_from_2_37(demo, image_id):
    response = boot(demo, image_id, version="2.37", expect=400)
    assert "networks" in response["badRequest"]["message"]
    boot(demo, image_id, version="2.37", networks="none")
    boot(demo, image_id, version="2.36", networks="auto", expect=400)


def test_invalid_references_are_refused_before_writing(demo, image_id, deployment):
    cases = [
        ({"flavorRef": "99"}, "Flavor 99 could not be found."),
        ({"imageRef": "0b3a4cbd-1111-4f1d-9e0f-7a8b9c0d1e2f"},
         "Image 0b3a4cbd-1111-4f1d-9e0f-7a8b9c0d1e2f could not be found."),
        ({"key_name": "nope"}, "Invalid key_name provided."),
        ({"availability_zone": "elsewhere"}, "The requested availability zone is not available"),
        ({"user_data": "not base64!"}, "User data needs to be valid base 64."),
        ({"bogus": 1}, "Additional properties are not allowed ('bogus' was unexpected)"),
        ({"min_count": 3, "max_count": 2}, "min_count must be <= max_count"),
    ]
    for extra, message in cases:
        answer = boot(demo, image_id, expect=400, **extra)
        assert answer["badRequest"]["message"] == message
        assert answer["badRequest"]["code"] == 400
    assert server_rows(deployment) == 0


def test_versioned_fields_are_refused_before_their_version(demo, image_id):
    boot(demo, image_id, version="2.18", description="x", expect=400)
    boot(demo, image_id, version="2.51", networks="none", tags=["a"], expect=400)
    created = boot(demo, image_id, version="2.52", networks="none", description="web",
                   tags=["a", "b"])
    shown = show(demo, created["server"]["id"], "2.52").json()["server"]
    assert shown["description"] == "web" and shown["tags"] == ["a", "b"]


def test_user_data_and_metadata_are_checked(demo, image_id):
    boot(demo, image_id, user_data="A" * 65536, expect=400)
    boot(demo, image_id, metadata={"k": 1}, expect=400)
    boot(demo, image_id, metadata={"": "v"}, expect=400)
    encoded = base64.b64encode(b"#!/bin/sh\necho hi\n").decode()
    created = boot(demo, image_id, user_data=encoded, metadata={"role": "web"})
    shown = show(demo, created["server"]["id"]).json()["server"]
    assert shown["metadata"] == {"role": "web"}


def test_quota_is_checked_before_writing(demo, image_id, deployment):
    project_id = deployment.accounts["demo"].project_id
    with deployment.cloud.db.session() as session:
        quota.set_limits(session, project_id, {"instances": 1})
    boot(demo, image_id)
    answer = boot(demo, image_id, expect=403)
    assert answer["forbidden"]["message"] == (
        "Quota exceeded for instances: Requested 1, but already used 1 of 1 instances")
    with deployment.cloud.db.session() as session:
        quota.set_limits(session, project_id, {"instances": 10, "cores": 2})
    answer = boot(demo, image_id, flavorRef="3", expect=403)
    assert answer["forbidden"]["message"] == (
        "Quota exceeded for cores: Requested 2, but already used 1 of 2 cores")
    assert server_rows(deployment) == 1


def test_multi_create_names_and_reservation(demo, image_id):
    answer = boot(demo, image_id, name="web", min_count=3, max_count=3,
                  return_reservation_id=True)
    reservation = answer["reservation_id"]
    assert reservation.startswith("r-")
    listed = demo.get(f"/compute/v2.1/servers?reservation_id={reservation}").json()["servers"]
    assert sorted(server["name"] for server in listed) == ["web-1", "web-2", "web-3"]


def test_multi_create_shrinks_to_quota_above_min_count(demo, image_id, deployment):
    with deployment.cloud.db.session() as session:
        quota.set_limits(session, deployment.accounts["demo"].project_id, {"instances": 2})
    boot(demo, image_id, name="web", min_count=1, max_count=5)
    assert server_rows(deployment) == 2
    boot(demo, image_id, name="web", min_count=1, max_count=5, expect=403)


def test_flavor_ref_may_be_a_link(demo, image_id):
    link = "http://127.0.0.1/compute/flavors/2"
    created = boot(demo, image_id, flavorRef=link)
    assert show(demo, created["server"]["id"]).json()["server"]["flavor"]["id"] == "2"


def test_reader_cannot_create(deployment, image_id):
    import pytest

    from pocketstack.errors import Forbidden
    from pocketstack.services.compute.boot import BootRequest
    from pocketstack.services.compute.servers import create_servers
    from pocketstack.services.context import RequestContext

    reader = RequestContext(user_id="u", user_name="r", domain_id="default",
                            project_id=deployment.accounts["demo"].project_id,
                            project_name="demo", roles=frozenset({"reader"}))
    with pytest.raises(Forbidden), deployment.cloud.db.session() as session:
        create_servers(session, reader, BootRequest(name="x", flavor_ref="1", image_id=image_id))
