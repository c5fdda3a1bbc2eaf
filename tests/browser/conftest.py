"""Fixtures of the browser tests: a real cloud (``cloud.py``) and Debian's Chromium driven
by Playwright (never a downloaded browser).

``POCKETSTACK_SCREENSHOTS=DIR`` makes ``shoot(name)`` save ``DIR/<name>.png`` (what
``scripts/screenshots`` runs); otherwise ``shoot`` does nothing. A JavaScript error on a
page fails the test that caused it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.cloud import BrowserCloud

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}


def _missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"needs {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs playwright (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def cloud():
    cloud = BrowserCloud()
    try:
        cloud.start()
        yield cloud
    finally:
        cloud.stop()


# Package scope: Playwright's sync API keeps an asyncio loop running in this thread while it
# lives, and the root tests after tests/browser (pyroute2) need the thread's loop free.
@pytest.fixture(scope="package")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, cloud, request):
    context = chromium.new_context(viewport=VIEWPORT, accept_downloads=True,
                                   base_url=f"{cloud.url}/dashboard/")
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        page.screenshot(path=f"/tmp/db-failure-{request.node.name}.png", full_page=True)
        print(f"screenshot of the failure: /tmp/db-failure-{request.node.name}.png")
        print("pocketstack log:\n" + cloud.log_tail())
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def shoot(page):
    """``shoot(name)``: a screenshot into $POCKETSTACK_SCREENSHOTS, when it is set."""
    target = os.environ.get("POCKETSTACK_SCREENSHOTS")

    def take(name: str, *, full_page: bool = False) -> None:
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            page.wait_for_timeout(300)  # let the live refresh and the fonts settle
            page.evaluate("document.getElementById('toasts')?.replaceChildren()")
            page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=full_page)

    return take
