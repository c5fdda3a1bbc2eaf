"""What others change shows up on screen without a reload: a server launched from the
command line goes BUILD → ACTIVE in the instances list, and a member added to a load
balancer's pool appears with its health."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.dashboard import go, login, row, wait_status


def mark_document(page: Page) -> None:
    page.evaluate("window.notReloaded = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"


def test_a_server_started_elsewhere_appears_and_becomes_active(page: Page, cloud):
    login(page, "demo", cloud.password)
    go(page, "Instances")
    mark_document(page)
    cloud.openstack("server", "create", "--image", "base", "--flavor", "m1.tiny",
                    "--network", "private", "elsewhere")
    expect(row(page, "elsewhere")).to_be_visible(timeout=15_000)
    wait_status(page, "elsewhere", "ACTIVE")
    assert_not_reloaded(page)
    cloud.openstack("server", "delete", "elsewhere")
    expect(row(page, "elsewhere")).to_have_count(0, timeout=15_000)


def test_a_new_pool_member_joins_on_screen(page: Page, cloud, shoot):
    lb = "live-lb"
    cloud.openstack("loadbalancer", "create", "--name", lb, "--vip-subnet-id",
                    "private-subnet", "--wait")
    cloud.openstack("loadbalancer", "listener", "create", "--name", "http", "--protocol",
                    "HTTP", "--protocol-port", "80", "--wait", lb)
    cloud.openstack("loadbalancer", "pool", "create", "--name", "web", "--listener", "http",
                    "--protocol", "HTTP", "--lb-algorithm", "ROUND_ROBIN", "--wait")
    login(page, "demo", cloud.password)
    go(page, "Load balancers")
    card = page.get_by_role("region", name=lb)
    expect(card).to_contain_text("No members yet")
    mark_document(page)
    cloud.openstack("loadbalancer", "member", "create", "--address", "10.0.0.200",
                    "--protocol-port", "80", "--subnet-id", "private-subnet", "--wait", "web")
    expect(card.get_by_role("rowheader", name="10.0.0.200:80")).to_be_visible(timeout=15_000)
    assert_not_reloaded(page)
    shoot("16-load-balancers")
    cloud.openstack("loadbalancer", "delete", "--cascade", "--wait", lb)
    expect(card).to_have_count(0, timeout=15_000)
