"""The client-side Keystone login shared by `pocketstack console`, `scaling` and the demos."""

from __future__ import annotations

import httpx
import pytest

from pocketstack.cli import auth

AUTH_URL = "http://testserver/identity/v3"


def openrc(deployment, user: str = "demo", **changes: str) -> dict[str, str]:
    env = {"OS_AUTH_URL": AUTH_URL, "OS_USERNAME": user, "OS_PROJECT_NAME": user,
           "OS_PASSWORD": deployment.accounts[user].password, "OS_USER_DOMAIN_NAME": "Default",
           "OS_PROJECT_DOMAIN_NAME": "Default", "OS_REGION_NAME": "RegionOne",
           "OS_INTERFACE": "public"}
    return {**env, **changes}


def test_password_body_by_names():
    body = auth.auth_body({"OS_USERNAME": "ann", "OS_PASSWORD": "pw", "OS_PROJECT_NAME": "p",
                           "OS_USER_DOMAIN_ID": "default"})
    assert body["auth"]["identity"] == {"methods": ["password"], "password": {"user": {
        "name": "ann", "password": "pw", "domain": {"id": "default"}}}}
    assert body["auth"]["scope"] == {"project": {"name": "p", "domain": {"name": "Default"}}}


def test_password_body_by_ids():
    body = auth.auth_body({"OS_USER_ID": "u1", "OS_PASSWORD": "pw", "OS_PROJECT_ID": "p1"})
    assert body["auth"]["identity"]["password"]["user"]["id"] == "u1"
    assert body["auth"]["scope"] == {"project": {"id": "p1"}}


def test_application_credential_body():
    body = auth.auth_body({"OS_APPLICATION_CREDENTIAL_ID": "c1",
                           "OS_APPLICATION_CREDENTIAL_SECRET": "s"})
    assert body == {"auth": {"identity": {"methods": ["application_credential"],
                                          "application_credential": {"id": "c1", "secret": "s"}}}}


@pytest.mark.parametrize("env", [{}, {"OS_USERNAME": "ann"}, {"OS_PASSWORD": "pw"}])
def test_missing_credentials_say_what_to_set(env):
    with pytest.raises(auth.AuthError, match="Set OS_AUTH_URL, OS_USERNAME, OS_PASSWORD"):
        auth.auth_body(env)


@pytest.mark.parametrize(("given", "expected"), [
    ("http://h:5000", "http://h:5000/v3"), ("http://h/identity/v3/", "http://h/identity/v3")])
def test_auth_url_ends_in_v3(given, expected):
    assert auth.auth_url({"OS_AUTH_URL": given}) == expected


def test_auth_url_unset_says_source_openrc():
    with pytest.raises(auth.AuthError, match="source openrc.demo"):
        auth.auth_url({})


def test_log_in_gives_token_project_and_catalog(client, deployment):
    login = auth.log_in(client, openrc(deployment))
    assert client.get("/identity/v3/auth/catalog",
                      headers={"X-Auth-Token": login.token}).status_code == 200
    assert login.project_id == deployment.accounts["demo"].project_id
    found = auth.endpoints(login.catalog, openrc(deployment))
    assert found["compute"].endswith("/compute/v2.1")
    assert {"identity", "network", "image"} <= set(found)


def test_endpoints_follow_interface_and_region(client, deployment):
    catalog = auth.log_in(client, openrc(deployment)).catalog
    assert auth.endpoints(catalog, {"OS_REGION_NAME": "Elsewhere"}) == {}
    assert auth.endpoints(catalog, {"OS_INTERFACE": "nonesuch"}) == {}


def test_wrong_password_is_an_auth_error_with_the_servers_message(client, deployment):
    with pytest.raises(auth.AuthError, match=r"failed \(401\).*Check the OS_\* variables"):
        auth.log_in(client, openrc(deployment, OS_PASSWORD="wrong"))


def test_unreachable_cloud_says_is_it_running():
    with httpx.Client() as http, pytest.raises(auth.AuthError, match="Is it running"):
        auth.log_in(http, {"OS_AUTH_URL": "http://127.0.0.1:9/identity", "OS_USERNAME": "a",
                           "OS_PASSWORD": "b", "OS_PROJECT_NAME": "c"})
