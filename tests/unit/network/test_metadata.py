"""The metadata documents (services/metadata.py), with the fake drivers: the caller is
found by (router, source IP) through desired state."""

import base64
import json

from sqlalchemy import select

from pocketstack.db.models.network import Router
from pocketstack.services import metadata

from .conftest import ok, settle

HEADERS = {"OpenStack-API-Version": "compute 2.37", "X-OpenStack-Nova-API-Version": "2.37"}


def test_documents_for_the_server_behind_a_router(deployment, demo):
    image = ok(demo.get("/image/v2/images"))["images"][0]["id"]
    private = ok(demo.get("/network/v2.0/networks?name=private"))["networks"][0]["id"]
    body = {"server": {"name": "web", "imageRef": image, "flavorRef": "1",
                       "networks": [{"uuid": private}], "metadata": {"role": "db"},
                       "user_data": base64.b64encode(b"#!/bin/sh\necho hi\n").decode()}}
    server = ok(demo.post("/compute/v2.1/servers", json=body, headers=HEADERS), 202)["server"]
    settle(deployment)
    port = ok(demo.get(f"/network/v2.0/ports?device_id={server['id']}"))["ports"][0]
    ip = port["fixed_ips"][0]["ip_address"]
    with deployment.cloud.db.session() as session:
        router_id = session.scalar(select(Router.id).where(Router.name == "router1"))
        status, _, body = metadata.answer(session, router_id, ip,
                                          "/openstack/latest/meta_data.json")
        assert status == 200
        document = json.loads(body)
        assert document["uuid"] == server["id"] and document["name"] == "web"
        assert document["meta"] == {"role": "db"} and document["devices"] == []
        assert set(document) >= {"hostname", "project_id", "public_keys", "keys",
                                 "launch_index", "availability_zone"}
        assert metadata.answer(session, router_id, ip, "/openstack/latest/user_data")[2] \
            == b"#!/bin/sh\necho hi\n"
        network = json.loads(metadata.answer(session, router_id, ip,
                                             "/openstack/latest/network_data.json")[2])
        assert network["networks"][0]["ip_address"] == ip
        assert network["links"][0]["ethernet_mac_address"] == port["mac_address"]
        assert metadata.answer(session, router_id, ip, "/openstack/latest/vendor_data.json")[2] \
            == b"{}"
        assert b"latest" in metadata.answer(session, router_id, ip, "/openstack")[2]
        assert metadata.answer(session, router_id, ip, "/latest/meta-data/instance-id")[2] \
            == server["id"].encode()
        assert metadata.answer(session, router_id, "10.0.0.250", "/openstack")[0] == 404
        assert metadata.answer(session, "other-router", ip, "/openstack")[0] == 404
