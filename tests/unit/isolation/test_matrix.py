"""Who may do what: callers x resource types x operations, against OpenStack's defaults.

Expected outcomes are OpenStack's 2024+ default policies ("secure RBAC": new defaults and
scope enforcement), as documented in each service's policy reference:

| service  | rule (default check string, abridged)                          | source |
|----------|----------------------------------------------------------------|--------|
| Nova     | servers, server metadata: index/show PROJECT_READER_OR_ADMIN,  | [nova] |
|          | create/update/delete PROJECT_MEMBER_OR_ADMIN; all_tenants ADMIN|        |
|          | another project's server: not found (404)                      |        |
| Nova     | os-keypairs:* "(role:admin) or user_id:%(user_id)s" (per user, | [nova] |
|          | any role may create its own; ?user_id= of another user: 403)   |        |
| Nova     | flavors index/show "@"; os-flavor-manage create/update/delete  | [nova] |
|          | ADMIN; os-quota-sets show PROJECT_READER_OR_ADMIN, update/     |        |
|          | delete ADMIN (another project's quota: 403)                    |        |
| Neutron  | get_*: ADMIN or PROJECT_READER; create/update/delete_*: ADMIN  | [neu]  |
|          | or PROJECT_MEMBER; an invisible resource is 404, a visible one |        |
|          | the caller may not change is 403; get/update/delete_quota:     |        |
|          | reader/admin/admin (another project's: 403)                    |        |
| Glance   | get_image: admin or reader and (owner, member, public, shared);| [gla]  |
|          | get_images: admin or reader; add/modify/delete_image: admin or |        |
|          | member of the owner; publicize_image: admin; modify_member:    |        |
|          | admin or member of the member project; add/delete_member:      |        |
|          | admin or member of the owner; invisible image: 404             |        |
| Keystone | list/create/update/delete projects, users, roles, grants:      | [ks]   |
|          | admin; get_project: admin or project_id:%(target.project.id)s; |        |
|          | application credentials: admin or owner (user_id); 403 else    |        |
| all      | no token: 401 (keystonemiddleware)                             |        |

[nova] https://docs.openstack.org/nova/latest/configuration/policy.html
[neu]  https://docs.openstack.org/neutron/latest/configuration/policy.html
[gla]  https://docs.openstack.org/glance/latest/configuration/glance_policy.html
[ks]   https://docs.openstack.org/keystone/latest/configuration/policy

pocketstack has no system scope: its ``admin`` role stands for the system admin (Keystone's
"(role:reader and system_scope:all)" rules are granted to ``admin``).

Outcomes: ``ok`` (2xx; for a list, the target is in it), ``hid`` (a list without the
target), or the HTTP status. Columns: admin (admin role on A), member (of A), reader (of
A), other (member of B), anon (no token). Every target belongs to project A.
"""

from __future__ import annotations

import pytest

from tests.unit.isolation import resources as r
from tests.unit.isolation.conftest import CALLERS

READ_WRITE = {  # Nova/Neutron/Glance: a project's own resource
    "list": "ok ok ok hid 401", "show": "ok ok ok 404 401",
    "change": "ok ok 403 404 401", "delete": "ok ok 403 404 401",
    "create": "ok ok 403 ok 401"}
CHILD_OF_A = {**READ_WRITE, "create": "ok ok 403 404 401"}  # created inside A's parent
ADMIN_ONLY = {"list": "ok 403 403 403 401", "show": "ok 403 403 403 401",
              "change": "ok 403 403 403 401", "delete": "ok 403 403 403 401",
              "create": "ok 403 403 403 401"}
QUOTA = {"show": "ok ok ok 403 401", "change": "ok 403 403 403 401",
         "delete": "ok 403 403 403 401"}

EXPECTED = [
    (r.SERVER, READ_WRITE),
    (r.METADATA, {**READ_WRITE, "list": "ok ok ok 404 401"}),
    (r.KEYPAIR, {"list": "ok ok 403 403 401", "show": "ok ok 403 403 401",
                 "delete": "ok ok 403 403 401", "create": "ok ok ok ok 401"}),
    (r.FLAVOR, {**ADMIN_ONLY, "list": "ok ok ok ok 401", "show": "ok ok ok ok 401"}),
    (r.COMPUTE_QUOTA, QUOTA),
    (r.PRIVATE_IMAGE, READ_WRITE),
    (r.SHARED_IMAGE, {**READ_WRITE, "show": "ok ok ok ok 401", "change": "ok ok 403 403 401",
                      "delete": "ok ok 403 403 401"}),
    (r.PUBLIC_IMAGE, {**ADMIN_ONLY, "list": "ok ok ok ok 401", "show": "ok ok ok ok 401"}),
    (r.IMAGE_MEMBER, {"list": "ok ok ok ok 401", "show": "ok ok ok ok 401",
                      "change": "ok 403 403 ok 401", "delete": "ok ok 403 403 401"}),
    (r.NETWORK, READ_WRITE),
    (r.SUBNET, CHILD_OF_A),
    (r.PORT, CHILD_OF_A),
    (r.ROUTER, READ_WRITE),
    (r.FLOATING_IP, READ_WRITE),
    (r.SECURITY_GROUP, READ_WRITE),
    (r.SECURITY_GROUP_RULE, CHILD_OF_A),
    (r.NETWORK_QUOTA, QUOTA),
    (r.PROJECT, {**ADMIN_ONLY, "show": "ok ok ok 403 401"}),
    (r.USER, ADMIN_ONLY),
    (r.ROLE, ADMIN_ONLY),
    (r.ROLE_ASSIGNMENT, ADMIN_ONLY),
    (r.APP_CREDENTIAL, {"list": "ok ok 403 403 401", "show": "ok ok 403 403 401",
                        "delete": "ok ok 403 403 401", "create": "ok ok ok ok 401"}),
]


def cases():
    for resource, expected in EXPECTED:
        for op, row in expected.items():
            if op not in resource.ops:  # shared tables name operations some lack
                continue
            for caller, outcome in zip(CALLERS, row.split(), strict=True):
                yield pytest.param(resource, op, caller, outcome,
                                   id=f"{slug(resource.name)}-{op}-{caller}")


def slug(name: str) -> str:
    return "_".join(name.replace(",", "").replace("(", "").replace(")", "").split()[:3])


def outcome_of(resource, op: str, caller: str, world) -> str:
    target = resource.make(world, op)
    result = resource.ops[op](world.callers[caller], world, target)
    response, listed = result if op == "list" else (result, None)
    if response.status_code >= 300:
        return str(response.status_code)
    if listed is not None and target["id"] not in listed:
        return "hid"
    return "ok"


@pytest.mark.parametrize(("resource", "op", "caller", "expected"), list(cases()))
def test_matrix(world, resource, op, caller, expected):
    assert outcome_of(resource, op, caller, world) == expected


def test_every_operation_of_every_resource_has_a_row():
    for resource, expected in EXPECTED:
        assert set(resource.ops) <= set(expected), resource.name


ALL_PROJECTS = [  # (resource, list path of everything, how an admin of another project asks)
    (r.SERVER, f"{r.C}/servers?all_tenants=1", "servers"),
    (r.NETWORK, f"{r.N}/networks", "networks"),
    (r.PRIVATE_IMAGE, f"{r.G}/images", "images"),
    (r.SECURITY_GROUP, f"{r.N}/security-groups", "security_groups"),
]


@pytest.mark.parametrize(("resource", "path", "key"), ALL_PROJECTS,
                         ids=[slug(case[0].name) for case in ALL_PROJECTS])
def test_an_admin_of_another_project_sees_all_projects(world, resource, path, key):
    """Nova lists other projects' servers to an admin only with all_tenants; Neutron and
    Glance list every project's resources to an admin; show and delete work by id."""
    target = resource.make(world, "list")
    admin = world.cloud_admin
    listed = admin.get(path, headers=r.NOVA)
    assert target["id"] in {item["id"] for item in r.ok(listed)[key]}
    if resource is r.SERVER:
        own = r.ok(admin.get(f"{r.C}/servers", headers=r.NOVA))["servers"]
        assert target["id"] not in {item["id"] for item in own}
    assert resource.ops["show"](admin, world, target).status_code == 200
    assert resource.ops["delete"](admin, world, target).status_code in (202, 204)
