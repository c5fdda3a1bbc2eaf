"""Helpers for autoscaling tests: group bodies and short calls that assert their status."""

from __future__ import annotations

import pytest

from pocketstack.services.image.bootstrap import DEFAULT_IMAGE_ID

A = "/autoscaling/v1"


def ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def error(response, status: int) -> str:
    """The message of an error in the Keystone/Heat envelope, after checking its shape."""
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == status and body["title"]
    return body["message"]


def group_body(name: str = "php", **fields) -> dict:
    group = {"name": name, "min_size": 1, "max_size": 4,
             "server": {"image_id": DEFAULT_IMAGE_ID, "flavor_id": "1"},
             "metric": {"type": "cpu", "target": 50}}
    group.update(fields)
    return {"group": group}


def create(api, name: str = "php", status: int = 201, **fields):
    response = api.post(f"{A}/groups", json=group_body(name, **fields))
    return ok(response, status)["group"] if status == 201 else response


@pytest.fixture
def image_id() -> str:
    return DEFAULT_IMAGE_ID


@pytest.fixture
def reader(client, deployment):
    """A user with only the reader role on the demo project."""
    from pocketstack.db.models.identity import Project, Role, RoleAssignment, User
    from pocketstack.services.identity.passwords import hash_password
    from tests.conftest import Api, issue_token

    with deployment.cloud.db.session() as session:
        project = session.query(Project).filter_by(name="demo").one()
        user = User(name="watcher", domain_id="default", password_hash=hash_password("pw"))
        session.add(user)
        session.flush()
        role = session.query(Role).filter_by(name="reader").one()
        session.add(RoleAssignment(user_id=user.id, project_id=project.id, role_id=role.id))
    return Api(client, issue_token(client, "watcher", "pw", "demo"))
