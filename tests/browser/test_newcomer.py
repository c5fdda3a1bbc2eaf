"""The newcomer's path, from an empty project and only the overview's getting-started
steps: a key pair, an instance launched with the defaults preselected (the only image,
the smallest flavor, the only network, the new key), a floating IP with SSH allowed, and
the instance page's exact ``ssh`` line, which works (namespace driver)."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.dashboard import dialog, login


def steps(page: Page):
    return page.get_by_role("region", name="Getting started")


def current_step(page: Page):
    return steps(page).locator("li[aria-current=step]")


def smallest_flavor(cloud) -> str:
    flavors = json.loads(cloud.openstack("flavor", "list", "-f", "json", "--long"))
    return min(flavors, key=lambda f: (f["RAM"], f["VCPUs"], f["Disk"]))["Name"]


def test_a_newcomer_reaches_an_instance_from_the_overview(page: Page, cloud, shoot, tmp_path):
    login(page, "demo", cloud.password)
    expect(current_step(page)).to_contain_text("Make a key pair")
    shoot("17-getting-started")
    key = make_key(page, tmp_path)
    expect(current_step(page)).to_contain_text("Launch an instance")
    launch_with_defaults(page, smallest_flavor(cloud))
    expect(current_step(page)).to_contain_text("Make it reachable")
    steps(page).get_by_role("button", name="Make my-first-instance reachable").click(
        timeout=60_000)
    box = dialog(page, "Make my-first-instance reachable")
    expect(box.get_by_role("checkbox")).to_have_count(2)
    for checkbox in box.get_by_role("checkbox").all():
        expect(checkbox).to_be_checked()
    box.get_by_role("button", name="Make reachable").click()
    expect(box).to_be_hidden()
    expect(steps(page)).to_contain_text(re.compile(r"my-first-instance: \d+\.\d+\.\d+\.\d+"))
    shoot("18-getting-started-done")
    steps(page).get_by_role("link", name="How to connect to my-first-instance").click()
    expect(page.get_by_role("heading", level=1, name="my-first-instance")).to_be_visible()
    command = page.get_by_label("SSH command")
    expect(command).to_contain_text(re.compile(r"ssh -i mykey\.pem root@\d"))
    address = re.search(r"root@(\S+)", command.inner_text()).group(1)
    shoot("19-instance-connect", full_page=True)
    if cloud.real:
        assert cloud.wait_ssh(key, address) == "my-first-instance"


def make_key(page: Page, tmp_path):
    steps(page).get_by_role("button", name="Create key pair").click()
    box = dialog(page, "Create key pair")
    box.get_by_label("Name").fill("mykey")
    with page.expect_download() as download:
        box.get_by_role("button", name="Create key pair").click()
    path = tmp_path / "mykey.pem"
    download.value.save_as(path)
    dialog(page, "Key pair mykey created").get_by_role("button", name="Close").click()
    return path


def launch_with_defaults(page: Page, flavor: str) -> None:
    steps(page).get_by_role("button", name="Launch instance").click()
    box = dialog(page, "Launch instance")
    expect(box.get_by_label("Name")).to_have_value("my-first-instance")
    expect(box.get_by_label("Image").locator("option:checked")).to_have_text("base")
    expect(box.get_by_label("Flavor").locator("option:checked")).to_contain_text(flavor)
    expect(box.get_by_role("checkbox", name="private")).to_be_checked()
    expect(box.get_by_label("Key pair").locator("option:checked")).to_have_text("mykey")
    box.get_by_role("button", name="Launch").click()
    expect(box).to_be_hidden()
