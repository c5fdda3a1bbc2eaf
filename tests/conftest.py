"""Fixtures shared by every test: a whole cloud in this process, with the fake drivers."""

from __future__ import annotations

import shutil

import pytest
from starlette.testclient import TestClient

from pocketstack.config import Settings
from pocketstack.wiring import assemble


def fake_settings(data_dir) -> Settings:
    return Settings(data_dir=data_dir, port=18774, driver="fake")


@pytest.fixture(scope="session")
def bootstrapped_data_dir(tmp_path_factory):
    """A data dir bootstrapped once per run; each test gets its own copy (hashing the
    bootstrap passwords and building the schema is most of a fresh start's cost)."""
    data_dir = tmp_path_factory.mktemp("template") / "data"
    template = assemble(fake_settings(data_dir), start_agent=False)
    template.cloud.db.dispose()
    return data_dir


@pytest.fixture
def deployment(tmp_path, bootstrapped_data_dir):
    data_dir = tmp_path / "data"
    shutil.copytree(bootstrapped_data_dir, data_dir)
    deployment = assemble(fake_settings(data_dir))
    yield deployment
    deployment.agent.stop()
    deployment.cloud.db.dispose()


@pytest.fixture
def client(deployment) -> TestClient:
    return TestClient(deployment.app, raise_server_exceptions=False)


def issue_token(client: TestClient, user: str, password: str, project: str) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "domain": {"id": "default"}, "password": password}
                },
            },
            "scope": {"project": {"name": project, "domain": {"id": "default"}}},
        }
    }
    response = client.post("/identity/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


class Api:
    """A caller with a token: ``api.get(path)`` and friends send it along."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def request(self, method: str, path: str, **kwargs):
        headers = {"X-Auth-Token": self.token, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


@pytest.fixture
def admin(client, deployment) -> Api:
    account = deployment.accounts["admin"]
    return Api(client, issue_token(client, "admin", account.password, "admin"))


@pytest.fixture
def demo(client, deployment) -> Api:
    account = deployment.accounts["demo"]
    return Api(client, issue_token(client, "demo", account.password, "demo"))
