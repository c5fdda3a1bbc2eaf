"""The classic demo, all in the browser, as a newcomer does it: log in, create a keypair,
launch two instances and rename them primary and secondary, open primary's console and
ping secondary's private IP (namespace driver), snapshot primary, launch a server from the
snapshot, open tcp/80, allocate a floating IP and associate it with primary, download
``openrc`` and use it with the stock ``openstack`` client. Statuses are awaited on screen,
never by reloading. With POCKETSTACK_SCREENSHOTS set, every page is photographed."""

from __future__ import annotations

import re
import subprocess

from playwright.sync_api import Page, expect

from tests.browser.cloud import VENV_BIN
from tests.browser.dashboard import dialog, go, login, row, wait_status


def test_classic_demo(page: Page, cloud, shoot, tmp_path):
    page.goto("./")
    shoot("01-login")
    login(page, "demo", cloud.password)
    key = create_keypair(page, shoot, tmp_path)
    assert "PRIVATE KEY" in key.read_text()
    launch_two(page, shoot)
    rename(page, "mysql-1", "primary", shoot)
    rename(page, "mysql-2", "secondary", shoot=None)
    secondary_ip = private_ip(page, "secondary")
    console_ping(page, cloud, "primary", secondary_ip, shoot)
    snapshot_and_launch(page, "primary", shoot)
    open_http(page, shoot)
    floating_ip_for(page, "primary", shoot)
    openrc = download_openrc(page, shoot, tmp_path)
    listed = openstack_with_openrc(openrc, cloud.password, "server", "list", "-f", "value",
                                   "-c", "Name")
    assert {"primary", "secondary", "php"} <= set(listed.split()), listed
    go(page, "Overview")
    expect(page.get_by_role("meter", name="Instances")).to_have_attribute("aria-valuenow", "3")
    shoot("02-overview")
    more_pages(page, shoot)


def create_keypair(page: Page, shoot, tmp_path):
    go(page, "Key pairs")
    page.get_by_role("button", name="Create key pair").click()
    box = dialog(page, "Create key pair")
    box.get_by_label("Name").fill("demo-key")
    with page.expect_download() as download:
        box.get_by_role("button", name="Create key pair").click()
    path = tmp_path / "demo-key.pem"
    download.value.save_as(path)
    created = dialog(page, "Key pair demo-key created")
    shoot("05-keypair-created")
    created.get_by_role("button", name="Close").click()
    expect(row(page, "demo-key")).to_be_visible()
    shoot("06-keypairs")
    return path


def launch_two(page: Page, shoot):
    go(page, "Instances")
    page.get_by_role("button", name="Launch instance").click()
    box = dialog(page, "Launch instance")
    box.get_by_label("Name").fill("mysql")
    box.get_by_label("Count").fill("2")
    box.get_by_label("Image").select_option(label="base")
    box.get_by_label("Key pair").select_option("demo-key")
    box.get_by_label("User data (optional)").fill("#!/bin/sh\necho db ready > /root/ready\n")
    shoot("04-launch-dialog")
    box.get_by_role("button", name="Launch").click()
    expect(box).to_be_hidden()
    for name in ("mysql-1", "mysql-2"):
        wait_status(page, name, "ACTIVE")


def open_instance(page: Page, name: str) -> None:
    go(page, "Instances")
    row(page, name).get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def rename(page: Page, old: str, new: str, shoot) -> None:
    open_instance(page, old)
    page.get_by_role("button", name="Rename").click()
    box = dialog(page, f"Rename {old}")
    box.get_by_label("New name").fill(new)
    box.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", level=1, name=new)).to_be_visible()
    if shoot:
        expect(page.locator(".console-log")).not_to_have_text("Loading…")
        shoot("07-instance", full_page=True)


def private_ip(page: Page, name: str) -> str:
    open_instance(page, name)
    text = page.locator(".details").inner_text()
    found = re.search(r"(\d+\.\d+\.\d+\.\d+) fixed", text)
    assert found, text
    return found.group(1)


def console_ping(page: Page, cloud, name: str, address: str, shoot) -> None:
    open_instance(page, name)
    page.get_by_role("link", name="Console").click()
    status = page.get_by_role("status").filter(has_text=re.compile("Connect|console"))
    if not cloud.real:  # the fake driver has no shells: the page says so in words
        expect(status).to_contain_text("No console")
        return
    expect(status).to_have_text(f"Connected to {name}.")
    page.locator(".console-screen").click()
    page.keyboard.type(f"ping -c 1 -W 3 {address}\n")
    expect(page.locator(".xterm-rows")).to_contain_text("1 received", timeout=20_000)
    shoot("08-console")


def snapshot_and_launch(page: Page, name: str, shoot) -> None:
    open_instance(page, name)
    page.get_by_role("button", name="Snapshot").click()
    box = dialog(page, f"Snapshot {name}")
    box.get_by_label("Snapshot name").fill(f"{name}-snap")
    box.get_by_role("button", name="Create snapshot").click()
    expect(box).to_be_hidden()
    go(page, "Images")
    wait_status(page, f"{name}-snap", "ACTIVE")
    shoot("09-images")
    row(page, f"{name}-snap").get_by_role("button", name=f"Launch from {name}-snap").click()
    box = dialog(page, "Launch instance")
    expect(box.get_by_label("Image")).to_have_value(
        row(page, f"{name}-snap").get_attribute("data-key"))
    box.get_by_label("Name").fill("php")
    box.get_by_role("button", name="Launch").click()
    go(page, "Instances")
    wait_status(page, "php", "ACTIVE")
    shoot("03-instances")


def open_http(page: Page, shoot) -> None:
    go(page, "Security groups")
    row(page, "default").get_by_role("link", name="Rules of default").click()
    page.get_by_role("button", name="Add rule").click()
    box = dialog(page, "Add a rule to default")
    box.get_by_label("Rule").select_option(label="HTTP (TCP 80)")
    expect(box.get_by_label("Port or range")).to_have_value("80")
    box.get_by_role("button", name="Add rule").click()
    expect(box).to_be_hidden()
    expect(row(page, "ingress").filter(has_text="80")).to_have_count(1)
    shoot("10-security-group")


def floating_ip_for(page: Page, name: str, shoot) -> None:
    go(page, "Floating IPs")
    page.get_by_role("button", name="Allocate floating IP").click()
    box = dialog(page, "Allocate floating IP")
    box.get_by_role("button", name="Allocate").click()
    expect(box).to_be_hidden()
    address_row = page.get_by_role("row").filter(has=page.get_by_role("button",
                                                                     name=re.compile("^Associate")))
    expect(address_row).to_have_count(1)
    address = address_row.get_by_role("rowheader").inner_text()
    address_row.get_by_role("button", name=f"Associate {address}").click()
    box = dialog(page, f"Associate {address}")
    box.get_by_label("Instance").select_option(label=_option(box, name))
    box.get_by_role("button", name="Associate").click()
    expect(row(page, address)).to_contain_text(f"{name} (")
    shoot("11-floating-ips")


def _option(box, name: str) -> str:
    labels = box.get_by_label("Instance").locator("option").all_inner_texts()
    return next(label for label in labels if label.startswith(f"{name} — "))


def download_openrc(page: Page, shoot, tmp_path):
    go(page, "API access")
    shoot("12-api-access")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download openrc").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    text = path.read_text()
    assert "OS_AUTH_URL" in text and "OS_PASSWORD_INPUT" in text
    return path


def openstack_with_openrc(openrc, password: str, *args: str) -> str:
    """``source openrc`` (answering its password prompt), then the stock client."""
    script = f'source "$1" && shift && exec {VENV_BIN / "openstack"} "$@"'
    result = subprocess.run(["bash", "-c", script, "bash", str(openrc), *args],
                            input=f"{password}\n", capture_output=True, text=True,
                            timeout=120, check=False, env={"PATH": "/usr/bin:/bin",
                                                           "HOME": str(openrc.parent)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def more_pages(page: Page, shoot) -> None:
    """The pages the demo did not need, for the screenshots (and that they render)."""
    go(page, "Networks")
    expect(row(page, "private")).to_be_visible()
    shoot("13-networks")
    go(page, "Routers")
    expect(page.get_by_role("table")).to_be_visible()
    shoot("14-routers")
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Instances").click()
    expect(row(page, "primary")).to_be_visible()
    shoot("15-phone-instances", full_page=True)
