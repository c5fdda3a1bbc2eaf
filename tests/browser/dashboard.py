"""Steps a person takes in the dashboard, shared by the browser tests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def login(page: Page, user: str, password: str, domain: str = "Default") -> None:
    page.goto("./")
    page.get_by_label("Domain").fill(domain)
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()


def go(page: Page, link: str) -> None:
    """Follow a link of the main navigation."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1, name=link)).to_be_visible()


def dialog(page: Page, title: str):
    box = page.get_by_role("dialog", name=title)
    expect(box).to_be_visible()
    return box


def row(page: Page, text: str):
    """The table row whose header cell is ``text``."""
    return page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=text, exact=True))


def wait_status(page: Page, name: str, status: str, timeout: float = 60_000) -> None:
    expect(row(page, name).locator(".badge")).to_have_text(re.compile(f"^{status}"),
                                                            timeout=timeout)
