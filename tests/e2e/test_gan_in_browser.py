"""Train a GAN from the studio in a real browser: the grid changes; pause, resume, stop."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import press, start_one_minute_of_gan_training, stop_job, wait_idle

pytestmark = pytest.mark.e2e

GRID = "[data-testid=stImage] img"


def test_start_watch_pause_resume_stop(tab, app_url):
    start_one_minute_of_gan_training(tab, app_url)
    tab.locator(GRID).first.wait_for(timeout=60_000)
    first = tab.locator(GRID).first.get_attribute("src")
    tab.wait_for_function(  # the live fragment redraws the grid as the generator learns
        "([css, before]) => { const img = document.querySelector(css); "
        "return img && img.src !== before; }", arg=[GRID, first], timeout=60_000)
    press(tab, "Pause")
    tab.get_by_role("button", name="One discriminator step").wait_for(timeout=30_000)
    press(tab, "Resume")
    tab.get_by_role("button", name="Pause").wait_for(timeout=30_000)
    stop_job(tab)
    # In use, or kept as a version where it measures worse than the stored one.
    tab.get_by_text(re.compile("is in use; the run is saved|the stored one stays in use")).wait_for(
        timeout=90_000)
    wait_idle(tab)
    assert tab.get_by_role("button", name="Continue the saved run").is_enabled()
    assert tab.locator("[data-testid=stException]").count() == 0
