"""Move the noise slider in a real browser and see the grid and its numbers change."""

from __future__ import annotations

import pytest

from tests.e2e.browser import wait_idle

pytestmark = pytest.mark.e2e


def grid_sources(tab) -> list[str]:
    return tab.locator("[data-testid=stImage] img").evaluate_all("imgs => imgs.map(i => i.src)")


def test_the_slider_changes_the_noisy_and_denoised_grid(tab, app_url):
    tab.goto(f"{app_url}/denoise")
    wait_idle(tab)
    tab.get_by_text("Read right, denoised").wait_for()
    tab.locator("[data-testid=stImage] img").nth(15).wait_for()
    psnr = tab.locator("[data-testid=stMetricValue]").first
    before_psnr, before_images = psnr.inner_text(), grid_sources(tab)
    assert len(before_images) >= 16
    slider = tab.get_by_role("slider", name="Noise level")
    slider.focus()
    for _ in range(8):  # 0.5 -> 0.9 in steps of 0.05
        tab.keyboard.press("ArrowRight")
    tab.wait_for_function(
        "before => document.querySelector('[data-testid=stMetricValue]').innerText !== before",
        arg=before_psnr, timeout=30_000)
    wait_idle(tab)
    assert tab.locator("[data-testid=stSliderThumbValue]").first.inner_text() == "0.90"
    assert grid_sources(tab) != before_images
    assert tab.locator("[data-testid=stException]").count() == 0
