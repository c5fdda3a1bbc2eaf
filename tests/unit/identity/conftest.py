"""Identity test helpers: make users with a role on a project and log in as them."""

from __future__ import annotations

import pytest

from tests.conftest import Api, issue_token

V3 = "/identity/v3"


def role_id(admin: Api, name: str) -> str:
    return admin.get(f"{V3}/roles", params={"name": name}).json()["roles"][0]["id"]


def password_body(name: str, password: str, project_id: str | None = None) -> dict:
    auth = {"identity": {"methods": ["password"], "password": {
        "user": {"name": name, "domain": {"id": "default"}, "password": password}}}}
    if project_id:
        auth["scope"] = {"project": {"id": project_id}}
    return {"auth": auth}


@pytest.fixture
def demo_project_id(deployment) -> str:
    return deployment.accounts["demo"].project_id


@pytest.fixture
def make_user(admin, client, demo_project_id):
    """``make_user(name, role="member")`` -> (user view, Api logged in on demo as that user)."""

    def make(name: str, password: str = "pw-123", role: str = "member",
             project_id: str | None = None) -> tuple[dict, Api]:
        project_id = project_id or demo_project_id
        response = admin.post(f"{V3}/users", json={"user": {"name": name, "password": password}})
        assert response.status_code == 201, response.text
        user = response.json()["user"]
        granted = admin.put(f"{V3}/projects/{project_id}/users/{user['id']}/roles/"
                            f"{role_id(admin, role)}")
        assert granted.status_code == 204, granted.text
        project_name = admin.get(f"{V3}/projects/{project_id}").json()["project"]["name"]
        return user, Api(client, issue_token(client, name, password, project_name))

    return make
