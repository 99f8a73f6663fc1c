"""Draw on the Draw page, open Inside the CNN, and see that same drawing's feature maps."""

from __future__ import annotations

import pytest

from tests.e2e.browser import open_draw, predicted_digits, stroke, wait_idle, zero_stroke

pytestmark = pytest.mark.e2e


def test_a_drawing_carries_over_to_its_feature_maps(tab, app_url):
    open_draw(tab, app_url)
    stroke(tab, zero_stroke())
    cnn_digit = predicted_digits(tab)[-1]
    tab.get_by_role("link", name="Inside the CNN").first.click()
    wait_idle(tab)
    tab.wait_for_selector("text=reads this as")
    verdict = tab.get_by_text("reads this as").first.inner_text()
    assert f"reads this as {cnn_digit}," in verdict
    for heading in ("conv_32 · 26 × 26 × 32", "pool_2 · 5 × 5 × 64"):
        tab.get_by_role("heading", name=heading).wait_for()
    grids = tab.locator("[data-testid=stImage] img")
    # The input, the kernels and five layer grids (they can follow their headings a moment
    # later on a busy host: a count taken at once found none).
    grids.nth(6).wait_for()
    assert grids.count() >= 7
    tab.get_by_role("tab", name="Convolution step by step").click()
    tab.get_by_text("✓ the same").first.wait_for()
