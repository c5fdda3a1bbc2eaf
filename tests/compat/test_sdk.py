"""openstacksdk sees what the CLI made, and builds and removes servers itself."""

from __future__ import annotations

import pytest

# openstacksdk warns about its own internal deprecations; they say nothing about the server.
pytestmark = [pytest.mark.compat, pytest.mark.filterwarnings("ignore:::openstack")]


def test_sdk_lists_the_servers_networks_and_images_the_cli_made(cloud):
    server = cloud.create_server("cli-server")
    network = cloud.openstack("network", "create", "cli-net")
    image_file = cloud.root / "disk.raw"
    image_file.write_bytes(b"\0" * 4096)
    image = cloud.openstack("image", "create", "--file", str(image_file),
                            "--disk-format", "raw", "--container-format", "bare", "cli-image")

    conn = cloud.connection()
    try:
        servers = {s.id: s for s in conn.compute.servers()}
        networks = {n.id: n.name for n in conn.network.networks()}
        images = {i.id: i for i in conn.image.images()}
    finally:
        conn.close()

    assert servers[server["id"]].name == "cli-server"
    assert servers[server["id"]].status == "ACTIVE"
    assert networks[network["id"]] == "cli-net"
    assert "private" in networks.values()
    assert images[image["id"]].name == "cli-image"
    assert images[image["id"]].status == "active"
    assert images[image["id"]].size == 4096


def test_sdk_create_server_and_delete_server_wait(cloud):
    image_id = cloud.base_image_id()
    conn = cloud.connection()
    try:
        server = conn.create_server("sdk-server", image=image_id, flavor="m1.tiny",
                                    network="private", wait=True, timeout=120)
        seen_by_cli = cloud.openstack("server", "show", "sdk-server")
        deleted = conn.delete_server(server.id, wait=True, timeout=120)
        after = conn.get_server(server.id)
    finally:
        conn.close()

    assert server.status == "ACTIVE"
    assert seen_by_cli["id"] == server.id and seen_by_cli["status"] == "ACTIVE"
    assert deleted is True
    assert after is None
