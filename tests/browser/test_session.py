"""Logging in and out, sessions that end with their token, the project switcher, and
forms that show the API's own error message."""

from __future__ import annotations

import json
import re
import urllib.request

from playwright.sync_api import Page, expect

from tests.browser.dashboard import dialog, go, login


def session_token(page: Page) -> str:
    saved = page.evaluate("sessionStorage.getItem('pocketstack.session')")
    return json.loads(saved)["token"]


def api_status(cloud, path: str, token: str, method: str = "GET") -> int:
    request = urllib.request.Request(cloud.url + path, method=method,
                                     headers={"X-Auth-Token": token, "X-Subject-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_wrong_password_is_refused_in_words(page: Page, cloud):
    page.goto("./")
    page.get_by_label("User name").fill("demo")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Login failed: the domain, user name or password is not right.")
    expect(page.get_by_role("heading", name="Overview")).to_have_count(0)


def test_logout_revokes_the_token(page: Page, cloud):
    login(page, "demo", cloud.password)
    token = session_token(page)
    assert api_status(cloud, "/compute/v2.1/servers", token) == 200
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.wait_for_timeout(300)
    assert api_status(cloud, "/compute/v2.1/servers", token) == 401
    assert page.evaluate("sessionStorage.getItem('pocketstack.session')") is None


def test_the_session_ends_with_its_token(page: Page, cloud):
    login(page, "demo", cloud.password)
    go(page, "Instances")  # polls the API while it is on screen
    token = session_token(page)
    assert api_status(cloud, "/identity/v3/auth/tokens", token, method="DELETE") == 204
    expect(page.get_by_role("alert")).to_contain_text("session has ended", timeout=15_000)
    expect(page.get_by_label("Password")).to_be_visible()


def test_a_form_shows_the_api_error(page: Page, cloud):
    login(page, "demo", cloud.password)
    go(page, "Key pairs")
    for attempt in range(2):
        page.get_by_role("button", name="Import public key").click()
        box = dialog(page, "Import public key")
        box.get_by_label("Name").fill("twice")
        box.get_by_label("Public key").fill(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGrgMsIVEz8b3bl2O7jIb0h7rQcS6BgIHGT1fVp7JkK1 x")
        box.get_by_role("button", name="Import").click()
        if attempt == 0:
            expect(box).to_be_hidden()
    expect(box.get_by_role("alert")).to_contain_text("twice")
    expect(box.get_by_role("alert")).to_contain_text(re.compile("exist", re.IGNORECASE))
    page.keyboard.press("Escape")
    expect(box).to_be_hidden()
    expect(page.get_by_role("button", name="Import public key")).to_be_focused()


def test_the_project_switcher_changes_what_is_shown(page: Page, cloud):
    admin = {**cloud.demo_env(), **_admin_variables(cloud)}
    cloud.openstack("project", "create", "--domain", "default", "games", env=admin)
    cloud.openstack("role", "add", "--project", "games", "--user", "demo", "member", env=admin)
    login(page, "demo", cloud.password)
    switcher = page.get_by_label("Project")
    expect(switcher.locator("option")).to_have_text(["demo", "games"])
    switcher.select_option(label="games")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("Project games: what it uses of its quotas.")).to_be_visible()
    go(page, "Networks")
    expect(page.get_by_role("rowheader", name="private", exact=True)).to_have_count(0)


def _admin_variables(cloud) -> dict[str, str]:
    from tests.harness.cloud_process import read_openrc

    return read_openrc(cloud.data_dir / "openrc.admin")
