"""End-to-end fixtures: the real app on a free port and a headless Chromium page."""

from __future__ import annotations

import pytest

from core import settings
from tests.e2e.browser import CHROMIUM, launch, running_app


@pytest.fixture(scope="session")
def app_url(trained_home):
    """The app over this worker's trained home, started once for all the test files that
    need nothing else: each start and first page load cost 6 to 9 s of a test worker."""
    with running_app({settings.HOME_ENV: str(trained_home),
                      settings.AUTOTRAIN_ENV: "0"}) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium (Debian package 'chromium'; CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium):
    """A fresh browser context and page for one test."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()
