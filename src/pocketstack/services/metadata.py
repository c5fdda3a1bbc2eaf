"""The metadata service's documents (OpenStack format, plus a small EC2-style tree).

An instance asks ``http://169.254.169.254/...`` through its router; the caller is the
server whose port on one of that router's networks holds the request's source IP. No
HTTP or kernel here: ``answer`` maps (router, source IP, path) to a status, a content
type and a body.
"""

from __future__ import annotations

import base64
import ipaddress
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Server
from pocketstack.db.models.network import IpAllocation, Port, Subnet
from pocketstack.services.network.routers import INTERFACE

VERSIONS = ("2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
            "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "latest")
FILES = ("meta_data.json", "network_data.json", "user_data", "vendor_data.json",
         "vendor_data2.json")
EC2_KEYS = ("ami-id", "hostname", "instance-id", "local-hostname", "local-ipv4",
            "placement/", "public-keys/", "reservation-id")
TEXT, JSON_TYPE = "text/plain; charset=utf-8", "application/json"

Answer = tuple[int, str, bytes]


def caller(session: Session, router_id: str, source_ip: str) -> tuple[Server, Port] | None:
    """The server (and its port) behind ``source_ip`` on a network attached to the router."""
    networks = select(Port.network_id).where(Port.device_id == router_id,
                                             Port.device_owner == INTERFACE)
    port = session.scalar(
        select(Port).join(IpAllocation, IpAllocation.port_id == Port.id)
        .where(IpAllocation.ip_address == source_ip, IpAllocation.network_id.in_(networks),
               Port.device_owner.like("compute:%")).limit(1))
    server = session.get(Server, port.device_id) if port is not None else None
    return (server, port) if server is not None else None


def meta_data(server: Server) -> dict:
    keys = [{"name": server.key_name, "type": "ssh", "data": server.key_data}] \
        if server.key_name and server.key_data else []
    return {
        "uuid": server.id, "name": server.name, "hostname": server.hostname or server.name,
        "project_id": server.project_id, "launch_index": server.launch_index,
        "availability_zone": server.availability_zone,
        "public_keys": {k["name"]: k["data"] for k in keys}, "keys": keys,
        "meta": dict(server.server_metadata or {}), "devices": [],
    }


def network_data(session: Session, server: Server) -> dict:
    ports = session.scalars(select(Port).where(Port.device_id == server.id,
                                               Port.device_owner.like("compute:%"))
                            .order_by(Port.device_index))
    links, networks, services = [], [], []
    for port in ports:
        link = f"tap{port.id[:11]}"
        links.append({"id": link, "vif_id": port.id, "type": "ovs", "mtu": None,
                      "ethernet_mac_address": port.mac_address})
        allocations = session.scalars(select(IpAllocation).where(IpAllocation.port_id == port.id))
        for allocation in allocations:
            subnet = session.get(Subnet, allocation.subnet_id)
            net = ipaddress.ip_network(subnet.cidr)
            routes = [{"network": "0.0.0.0" if net.version == 4 else "::",
                       "netmask": "0.0.0.0" if net.version == 4 else "::",
                       "gateway": subnet.gateway_ip}] if subnet.gateway_ip else []
            networks.append({
                "id": f"network{len(networks)}", "type": f"ipv{net.version}", "link": link,
                "ip_address": allocation.ip_address, "netmask": str(net.netmask),
                "routes": routes, "network_id": port.network_id,
                "services": [{"type": "dns", "address": d} for d in subnet.dns_nameservers]})
            services += [{"type": "dns", "address": d} for d in subnet.dns_nameservers]
    return {"links": links, "networks": networks, "services": services}


def _openstack(session: Session, server: Server, parts: list[str]) -> Answer:
    if not parts:
        return 200, TEXT, "\n".join(VERSIONS).encode()
    if parts[0] not in VERSIONS:
        return 404, TEXT, b"Not Found"
    if len(parts) == 1:
        return 200, TEXT, "\n".join(FILES).encode()
    name = "/".join(parts[1:])
    if name == "meta_data.json":
        return 200, JSON_TYPE, json.dumps(meta_data(server)).encode()
    if name == "network_data.json":
        return 200, JSON_TYPE, json.dumps(network_data(session, server)).encode()
    if name in ("vendor_data.json", "vendor_data2.json"):
        return 200, JSON_TYPE, b"{}"
    if name == "user_data" and server.user_data:
        return 200, "application/octet-stream", base64.b64decode(server.user_data)
    return 404, TEXT, b"Not Found"


def _ec2(server: Server, port: Port, source_ip: str, parts: list[str]) -> Answer:
    if not parts:
        return 200, TEXT, b"meta-data/\nuser-data"
    if parts[0] == "user-data":
        body = base64.b64decode(server.user_data) if server.user_data else None
        return (200, "application/octet-stream", body) if body else (404, TEXT, b"Not Found")
    if parts[0] != "meta-data":
        return 404, TEXT, b"Not Found"
    hostname = server.hostname or server.name
    values = {
        "ami-id": server.image_id or "", "hostname": hostname, "local-hostname": hostname,
        "instance-id": server.id, "local-ipv4": source_ip,
        "reservation-id": server.reservation_id,
        "placement": "availability-zone",
        "placement/availability-zone": server.availability_zone,
        "public-keys": f"0={server.key_name}" if server.key_name else "",
        "public-keys/0": "openssh-key" if server.key_name else None,
        "public-keys/0/openssh-key": server.key_data if server.key_name else None,
    }
    key = "/".join(parts[1:])
    if not key:
        return 200, TEXT, "\n".join(EC2_KEYS).encode()
    value = values.get(key)
    return (200, TEXT, value.encode()) if value is not None else (404, TEXT, b"Not Found")


def answer(session: Session, router_id: str, source_ip: str, path: str) -> Answer:
    """The response to ``GET path`` from ``source_ip`` behind ``router_id``."""
    found = caller(session, router_id, source_ip)
    if found is None:
        return 404, TEXT, b"No instance with this address behind this router."
    server, port = found
    parts = [p for p in path.split("?")[0].split("/") if p]
    if parts[:1] == ["openstack"]:
        return _openstack(session, server, parts[1:])
    if parts and parts[0] in ("latest", "2009-04-04"):
        return _ec2(server, port, source_ip, parts[1:])
    if not parts:
        return 200, TEXT, b"latest\nopenstack"
    return 404, TEXT, b"Not Found"
