"""One cloud (fake drivers) shared by the whole isolation matrix, with its five callers.

Project A is the bootstrap ``demo`` project; B is a project of its own. Callers: ``admin``
(a user with the admin role on A), ``member`` (demo, member of A), ``reader`` (reader role
on A), ``other`` (member of B) and ``anon`` (no token). Every case makes its own target,
so no case depends on what another one did; quotas of A are unlimited for that reason.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import pytest
from starlette.testclient import TestClient

from pocketstack.wiring import assemble
from tests.conftest import Api, fake_settings, issue_token

V3 = "/identity/v3"
CALLERS = ("admin", "member", "reader", "other", "anon")


class Anonymous(Api):
    """A caller that sends no token at all."""

    def request(self, method: str, path: str, **kwargs):
        return self.client.request(method, path, **kwargs)


@dataclass
class World:
    client: TestClient
    callers: dict[str, Api]
    project_a: str
    project_b: str
    users: dict[str, str] = field(default_factory=dict)  # caller -> user id
    cloud_admin: Api | None = None  # the bootstrap admin, scoped to its own project


def _ok(response, status=(200, 201, 204)):
    assert response.status_code in status, response.text
    return response.json() if response.content else None


def _role_id(admin: Api, name: str) -> str:
    return _ok(admin.get(f"{V3}/roles", params={"name": name}))["roles"][0]["id"]


def _user_on(admin: Api, client, name: str, role: str, project_id: str) -> tuple[str, Api]:
    user = _ok(admin.post(f"{V3}/users", json={"user": {"name": name, "password": "pw-123"}}))
    user_id = user["user"]["id"]
    _ok(admin.put(f"{V3}/projects/{project_id}/users/{user_id}/roles/{_role_id(admin, role)}"))
    project = _ok(admin.get(f"{V3}/projects/{project_id}"))["project"]["name"]
    return user_id, Api(client, issue_token(client, name, "pw-123", project))


def _unlimited(admin: Api, project_id: str) -> None:
    compute = {key: -1 for key in ("instances", "cores", "ram", "key_pairs",
                                   "metadata_items")}
    _ok(admin.put(f"/compute/v2.1/os-quota-sets/{project_id}",
                  json={"quota_set": compute}))
    network = {key: -1 for key in ("network", "subnet", "port", "router", "floatingip",
                                   "security_group", "security_group_rule")}
    _ok(admin.put(f"/network/v2.0/quotas/{project_id}", json={"quota": network}))


@pytest.fixture(scope="module")
def world(tmp_path_factory, bootstrapped_data_dir):
    data_dir = tmp_path_factory.mktemp("matrix") / "data"
    shutil.copytree(bootstrapped_data_dir, data_dir)
    deployment = assemble(fake_settings(data_dir))
    client = TestClient(deployment.app, raise_server_exceptions=False)
    accounts = deployment.accounts
    cloud_admin = Api(client, issue_token(client, "admin", accounts["admin"].password, "admin"))
    member = Api(client, issue_token(client, "demo", accounts["demo"].password, "demo"))
    project_a = accounts["demo"].project_id
    project_b = _ok(cloud_admin.post(f"{V3}/projects", json={"project": {"name": "b"}}))
    project_b = project_b["project"]["id"]
    users, callers = {"member": accounts["demo"].user_id}, {"member": member}
    for caller, role, project in (("admin", "admin", project_a), ("reader", "reader", project_a),
                                  ("other", "member", project_b)):
        users[caller], callers[caller] = _user_on(cloud_admin, client, f"m-{caller}", role,
                                                  project)
    callers["anon"] = Anonymous(client, "")
    for project in (project_a, project_b):
        _unlimited(cloud_admin, project)
    yield World(client, callers, project_a, project_b, users, cloud_admin)
    deployment.agent.stop()
    deployment.cloud.db.dispose()
