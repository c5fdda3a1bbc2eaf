"""How each resource type of the matrix is made (owned by project A) and acted on.

A resource is ``make(world, op) -> target`` plus one request function per operation,
``fn(api, world, target) -> response``. ``list`` answers ``(response, ids)``: the ids the
listing shows, so the matrix can tell "listed" from "hidden". Names are unique per call, so
lists are filtered by name where the API can (pages never hide a target).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

C, N, G, I = "/compute/v2.1", "/network/v2.0", "/image/v2", "/identity/v3"
NOVA = {"OpenStack-API-Version": "compute 2.79", "X-OpenStack-Nova-API-Version": "2.79"}
PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
_serial = itertools.count()


def unique(kind: str) -> str:
    return f"mx-{kind}-{next(_serial)}"


def ok(response) -> dict:
    assert response.status_code in (200, 201, 202, 204), response.text
    return response.json() if response.content else {}


@dataclass(frozen=True)
class Resource:
    name: str
    make: Callable
    ops: dict[str, Callable] = field(default_factory=dict)


def _listing(key: str, id_field: str = "id"):
    def ids(response) -> set[str]:
        return {item[id_field] for item in response.json()[key]}
    return ids


def _lister(path: Callable, key: str, id_field: str = "id", **kwargs):
    def list_(api, world, target):
        response = api.get(path(world, target), **kwargs)
        ids = _listing(key, id_field)(response) if response.status_code == 200 else set()
        return response, ids
    return list_


# compute


def _base_image(world) -> str:
    return ok(world.cloud_admin.get(f"{G}/images?name=base"))["images"][0]["id"]


def _server(api, world, metadata=None) -> dict:
    body = {"name": unique("server"), "imageRef": _base_image(world), "flavorRef": "1",
            "networks": "none", "metadata": metadata or {}}
    return api.post(f"{C}/servers", json={"server": body}, headers=NOVA)


def make_server(world, _op) -> dict:
    return {"id": ok(_server(world.callers["member"], world))["server"]["id"]}


SERVER = Resource("server", make_server, {
    "list": _lister(lambda w, t: f"{C}/servers", "servers", headers=NOVA),
    "show": lambda api, w, t: api.get(f"{C}/servers/{t['id']}", headers=NOVA),
    "change": lambda api, w, t: api.put(f"{C}/servers/{t['id']}", headers=NOVA,
                                        json={"server": {"name": unique("renamed")}}),
    "delete": lambda api, w, t: api.delete(f"{C}/servers/{t['id']}", headers=NOVA),
    "create": lambda api, w, t: _server(api, w),
})


def make_metadata(world, _op) -> dict:
    server = ok(_server(world.callers["member"], world, {"k": "v"}))["server"]["id"]
    return {"id": "k", "path": f"{C}/servers/{server}/metadata"}


def _metadata_list(api, world, target):
    response = api.get(target["path"], headers=NOVA)
    return response, set(response.json()["metadata"]) if response.status_code == 200 else set()


METADATA = Resource("server metadata", make_metadata, {
    "list": _metadata_list,
    "show": lambda api, w, t: api.get(f"{t['path']}/k", headers=NOVA),
    "change": lambda api, w, t: api.put(f"{t['path']}/k", headers=NOVA,
                                        json={"meta": {"k": "w"}}),
    "delete": lambda api, w, t: api.delete(f"{t['path']}/k", headers=NOVA),
})


def _keypair(api) -> object:
    return api.post(f"{C}/os-keypairs", headers=NOVA,
                    json={"keypair": {"name": unique("key"), "type": "ssh"}})


def make_keypair(world, _op) -> dict:
    made = ok(_keypair(world.callers["member"]))["keypair"]
    return {"id": made["name"], "owner": world.users["member"]}


def _keypair_list(api, world, target):
    response = api.get(f"{C}/os-keypairs?user_id={target['owner']}", headers=NOVA)
    if response.status_code != 200:
        return response, set()
    return response, {item["keypair"]["name"] for item in response.json()["keypairs"]}


KEYPAIR = Resource("keypair (per user)", make_keypair, {
    "list": _keypair_list,
    "show": lambda api, w, t: api.get(f"{C}/os-keypairs/{t['id']}?user_id={t['owner']}",
                                      headers=NOVA),
    "delete": lambda api, w, t: api.delete(f"{C}/os-keypairs/{t['id']}?user_id={t['owner']}",
                                           headers=NOVA),
    "create": lambda api, w, t: _keypair(api),
})


def _flavor(api):
    body = {"name": unique("flavor"), "ram": 64, "vcpus": 1, "disk": 1}
    return api.post(f"{C}/flavors", json={"flavor": body}, headers=NOVA)


def make_flavor(world, _op) -> dict:
    return {"id": ok(_flavor(world.cloud_admin))["flavor"]["id"]}


FLAVOR = Resource("flavor", make_flavor, {
    "list": _lister(lambda w, t: f"{C}/flavors", "flavors", headers=NOVA),
    "show": lambda api, w, t: api.get(f"{C}/flavors/{t['id']}", headers=NOVA),
    "change": lambda api, w, t: api.put(f"{C}/flavors/{t['id']}", headers=NOVA,
                                        json={"flavor": {"description": "changed"}}),
    "delete": lambda api, w, t: api.delete(f"{C}/flavors/{t['id']}", headers=NOVA),
    "create": lambda api, w, t: _flavor(api),
})


def _quota_target(world, op) -> dict:
    """Project A for reads; a fresh project for writes (a reset of A's would undo the
    unlimited quotas the other cases rely on)."""
    if op in ("show", "list"):
        return {"id": world.project_a}
    project = world.cloud_admin.post(f"{I}/projects", json={"project": {"name": unique("p")}})
    return {"id": ok(project)["project"]["id"]}


COMPUTE_QUOTA = Resource("compute quota set", _quota_target, {
    "show": lambda api, w, t: api.get(f"{C}/os-quota-sets/{t['id']}", headers=NOVA),
    "change": lambda api, w, t: api.put(f"{C}/os-quota-sets/{t['id']}", headers=NOVA,
                                        json={"quota_set": {"instances": 7}}),
    "delete": lambda api, w, t: api.delete(f"{C}/os-quota-sets/{t['id']}", headers=NOVA),
})
NETWORK_QUOTA = Resource("network quota", _quota_target, {
    "show": lambda api, w, t: api.get(f"{N}/quotas/{t['id']}"),
    "change": lambda api, w, t: api.put(f"{N}/quotas/{t['id']}",
                                        json={"quota": {"network": 7}}),
    "delete": lambda api, w, t: api.delete(f"{N}/quotas/{t['id']}"),
})


# images


def _image(api, visibility: str):
    return api.post(f"{G}/images", json={"name": unique("image"), "visibility": visibility,
                                         "container_format": "bare", "disk_format": "raw"})


def _image_maker(visibility: str, maker: str = "member"):
    def make(world, _op) -> dict:
        api = world.cloud_admin if maker == "cloud_admin" else world.callers[maker]
        made = ok(_image(api, visibility))
        if visibility == "shared":
            ok(api.post(f"{G}/images/{made['id']}/members", json={"member": world.project_b}))
        return {"id": made["id"], "name": made["name"]}
    return make


def _image_ops(visibility: str) -> dict:
    return {
        "list": _lister(lambda w, t: f"{G}/images?name={t['name']}", "images"),
        "show": lambda api, w, t: api.get(f"{G}/images/{t['id']}"),
        "change": lambda api, w, t: api.patch(f"{G}/images/{t['id']}", headers=PATCH, json=[
            {"op": "replace", "path": "/name", "value": unique("renamed")}]),
        "delete": lambda api, w, t: api.delete(f"{G}/images/{t['id']}"),
        "create": lambda api, w, t: _image(api, visibility),
    }


PRIVATE_IMAGE = Resource("image, private", _image_maker("private"), _image_ops("private"))
SHARED_IMAGE = Resource("image, shared with B (pending)", _image_maker("shared"),
                        _image_ops("shared"))
PUBLIC_IMAGE = Resource("image, public", _image_maker("public", "cloud_admin"),
                        _image_ops("public"))


def _members_path(t) -> str:
    return f"{G}/images/{t['image_id']}/members"


def make_membership(world, op) -> dict:
    """B's membership of a shared image of A (target id: B, as the member list shows)."""
    return {"id": world.project_b, "image_id": _image_maker("shared")(world, op)["id"]}


IMAGE_MEMBER = Resource("image member (B on A's image)", make_membership, {
    "list": _lister(lambda w, t: _members_path(t), "members", "member_id"),
    "show": lambda api, w, t: api.get(f"{_members_path(t)}/{w.project_b}"),
    "change": lambda api, w, t: api.put(f"{_members_path(t)}/{w.project_b}",
                                        json={"status": "accepted"}),
    "delete": lambda api, w, t: api.delete(f"{_members_path(t)}/{w.project_b}"),
})


# networks


def _neutron(collection: str, key: str, body: Callable, name_field: str | None = "name"):
    """A Neutron resource made by A's member: ``body(world) -> dict`` of its fields."""

    def make(world, _op) -> dict:
        fields = body(world)
        if name_field:
            fields[name_field] = unique(key)
        made = ok(world.callers["member"].post(f"{N}/{collection}", json={key: fields}))[key]
        return {"id": made["id"], "name": made.get(name_field or "id")}

    def create(api, world, _target):
        named = {name_field: unique(key)} if name_field else {}
        return api.post(f"{N}/{collection}", json={key: {**body(world), **named}})

    change = {"name": unique("renamed")} if name_field else {"description": "changed"}
    ops = {
        "list": _lister(lambda w, t: f"{N}/{collection}?{name_field or 'id'}={t['name']}",
                        f"{collection.replace('-', '_')}"),
        "show": lambda api, w, t: api.get(f"{N}/{collection}/{t['id']}"),
        "change": lambda api, w, t: api.put(f"{N}/{collection}/{t['id']}", json={key: change}),
        "delete": lambda api, w, t: api.delete(f"{N}/{collection}/{t['id']}"),
        "create": create,
    }
    return make, ops


def _network_of_a(world) -> str:
    made = world.callers["member"].post(f"{N}/networks", json={"network": {"name": unique("n")}})
    return ok(made)["network"]["id"]


def _subnet_body(world) -> dict:
    return {"network_id": _network_of_a(world), "cidr": "10.8.0.0/24", "ip_version": 4}


def _public(world) -> str:
    return ok(world.cloud_admin.get(f"{N}/networks?name=public"))["networks"][0]["id"]


def _group_of_a(world) -> str:
    made = world.callers["member"].post(f"{N}/security-groups",
                                        json={"security_group": {"name": unique("sg")}})
    return ok(made)["security_group"]["id"]


def _rule_body(world) -> dict:
    return {"security_group_id": _group_of_a(world), "direction": "ingress",
            "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22}


NETWORK = Resource("network", *_neutron("networks", "network", lambda w: {}))
SUBNET = Resource("subnet", *_neutron("subnets", "subnet", _subnet_body))
PORT = Resource("port", *_neutron("ports", "port", lambda w: {"network_id": _network_of_a(w)}))
ROUTER = Resource("router", *_neutron("routers", "router", lambda w: {}))
FLOATING_IP = Resource("floating IP", *_neutron(
    "floatingips", "floatingip", lambda w: {"floating_network_id": _public(w)}, None))
SECURITY_GROUP = Resource("security group", *_neutron(
    "security-groups", "security_group", lambda w: {}))
_rule_make, _rule_ops = _neutron("security-group-rules", "security_group_rule", _rule_body, None)
SECURITY_GROUP_RULE = Resource("security group rule", _rule_make, {
    op: fn for op, fn in _rule_ops.items() if op != "change"})


# identity


def _fresh(world, collection: str, key: str) -> str:
    made = world.cloud_admin.post(f"{I}/{collection}", json={key: {"name": unique(key)}})
    return ok(made)[key]["id"]


def _identity_ops(collection: str, key: str) -> dict:
    return {
        "list": _lister(lambda w, t: f"{I}/{collection}", collection),
        "show": lambda api, w, t: api.get(f"{I}/{collection}/{t['id']}"),
        "change": lambda api, w, t: api.patch(f"{I}/{collection}/{t['id']}",
                                              json={key: {"description": "changed"}}),
        "delete": lambda api, w, t: api.delete(f"{I}/{collection}/{t['id']}"),
        "create": lambda api, w, t: api.post(f"{I}/{collection}",
                                             json={key: {"name": unique(key)}}),
    }


def make_project(world, op) -> dict:
    """Project A itself for reads (its members may read it); a fresh one for writes."""
    if op in ("show", "list"):
        return {"id": world.project_a}
    return {"id": _fresh(world, "projects", "project")}


PROJECT = Resource("project (identity)", make_project, _identity_ops("projects", "project"))
USER = Resource("user (another one)", lambda w, op: {"id": _fresh(w, "users", "user")},
                _identity_ops("users", "user"))
ROLE = Resource("role", lambda w, op: {"id": _fresh(w, "roles", "role")},
                _identity_ops("roles", "role"))


def _grant_path(world, target) -> str:
    return f"{I}/projects/{world.project_a}/users/{target['user']}/roles"


def _role(world, name: str) -> str:
    return ok(world.cloud_admin.get(f"{I}/roles?name={name}"))["roles"][0]["id"]


def make_grant(world, _op) -> dict:
    """A fresh user with the reader role on A: list its roles, grant member, revoke reader."""
    user, role = _fresh(world, "users", "user"), _role(world, "reader")
    ok(world.cloud_admin.put(f"{I}/projects/{world.project_a}/users/{user}/roles/{role}"))
    return {"id": role, "user": user}


ROLE_ASSIGNMENT = Resource("role assignment on A", make_grant, {
    "list": _lister(_grant_path, "roles"),
    "change": lambda api, w, t: api.put(f"{_grant_path(w, t)}/{_role(w, 'member')}"),
    "delete": lambda api, w, t: api.delete(f"{_grant_path(w, t)}/{t['id']}"),
})


def _credentials_path(world) -> str:
    return f"{I}/users/{world.users['member']}/application_credentials"


def make_credential(world, _op) -> dict:
    made = world.callers["member"].post(_credentials_path(world), json={
        "application_credential": {"name": unique("cred")}})
    return {"id": ok(made)["application_credential"]["id"]}


APP_CREDENTIAL = Resource("application credential (member's)", make_credential, {
    "list": _lister(lambda w, t: _credentials_path(w), "application_credentials"),
    "show": lambda api, w, t: api.get(f"{_credentials_path(w)}/{t['id']}"),
    "delete": lambda api, w, t: api.delete(f"{_credentials_path(w)}/{t['id']}"),
    "create": lambda api, w, t: api.post(f"{I}/users/{api_user(api, w)}/application_credentials",
                                         json={"application_credential": {"name": unique("c")}}),
})


def api_user(api, world) -> str:
    """The user behind ``api`` (its own credentials are what it may create)."""
    return next((world.users[name] for name, caller in world.callers.items()
                 if caller is api and name in world.users), "nobody")
