"""Image-service fixtures: helpers to create and upload images, and a capped cloud."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from pocketstack.config import Settings
from pocketstack.wiring import assemble
from tests.conftest import Api, issue_token

PATCH_TYPE = "application/openstack-images-v2.1-json-patch"


def create(api: Api, **body) -> dict:
    body.setdefault("container_format", "bare")
    body.setdefault("disk_format", "raw")
    response = api.post("/image/v2/images", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def upload(api: Api, image_id: str, content, **headers):
    headers = {"Content-Type": "application/octet-stream", **headers}
    return api.put(f"/image/v2/images/{image_id}/file", content=content, headers=headers)


def patch(api: Api, image_id: str, operations: list, content_type: str = PATCH_TYPE):
    return api.patch(f"/image/v2/images/{image_id}", json=operations,
                     headers={"Content-Type": content_type})


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [image["name"] for image in response.json()["images"]]


@pytest.fixture
def reader(client, deployment) -> Api:
    """A user with only the reader role on the demo project."""
    from pocketstack.db.models.identity import Project, Role, RoleAssignment, User
    from pocketstack.services.identity.passwords import hash_password

    with deployment.cloud.db.session() as session:
        project = session.query(Project).filter_by(name="demo").one()
        user = User(name="watcher", domain_id="default", password_hash=hash_password("pw"))
        session.add(user)
        session.flush()
        role = session.query(Role).filter_by(name="reader").one()
        session.add(RoleAssignment(user_id=user.id, project_id=project.id, role_id=role.id))
    return Api(client, issue_token(client, "watcher", "pw", "demo"))


@pytest.fixture
def capped(tmp_path):
    """A cloud with a 1 MiB size cap and a 1.5 MiB per-project image quota: (demo, cloud)."""
    settings = Settings(data_dir=tmp_path / "capped", port=18774, driver="fake",
                        image_size_cap=1024 * 1024, image_storage_quota=1536 * 1024)
    deployment = assemble(settings, start_agent=False)
    client = TestClient(deployment.app, raise_server_exceptions=False)
    account = deployment.accounts["demo"]
    yield Api(client, issue_token(client, "demo", account.password, "demo")), deployment
    deployment.cloud.db.dispose()
