"""Moving on while a page is still loading: the late answers of the page left behind never
land on the next page (each page draws into a holder of its own)."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect

from tests.browser.dashboard import go, login


def test_a_slow_overview_does_not_draw_on_the_next_page(page: Page, cloud):
    held: list[Route] = []
    holding = [True]

    def servers(route: Route) -> None:  # the overview's getting-started steps wait for it
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/compute/v2.1/servers/detail*", servers)
    login(page, "demo", cloud.password)
    go(page, "Key pairs")
    expect(page.get_by_role("button", name="Create key pair")).to_have_count(1)
    assert held, "the overview asked for no servers: this test no longer holds it back"
    holding[0] = False
    for route in held:
        route.continue_()
    page.wait_for_timeout(1000)  # the overview's late answers arrive and are drawn (nowhere)
    expect(page.get_by_role("button", name="Create key pair")).to_have_count(1)
    expect(page.get_by_role("heading", level=2, name="Getting started")).to_have_count(0)
