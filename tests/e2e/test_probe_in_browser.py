"""Draw a digit, open Probe, fool the CNN into reading a chosen digit, change its pixels by
hand, then switch off filters and watch the accuracy fall, in a real browser."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser import open_draw, predicted_digits, stroke, wait_idle, zero_stroke

pytestmark = pytest.mark.e2e


def test_fool_the_cnn_into_a_target_and_switch_off_filters(tab, app_url):
    open_draw(tab, app_url)
    stroke(tab, zero_stroke())
    predicted_digits(tab)  # the drawing has reached the server
    tab.get_by_role("link", name="Probe the network").first.click()
    wait_idle(tab)
    tab.get_by_text("Original: reads").first.wait_for(timeout=60_000)
    tab.get_by_role("combobox", name="Make it read").click()
    tab.get_by_role("option", name="3", exact=True).click()
    wait_idle(tab)
    tab.get_by_role("button", name="Find the smallest epsilon that flips it").click()
    tab.get_by_text("PGD flips it at epsilon").wait_for(timeout=60_000)
    # the pictures of the attack found come after the message: wait for them, not count them
    tab.get_by_text("Attacked: reads 3").first.wait_for(timeout=60_000)

    # Fool it by hand: a bar of ink across the digit, and the count of pixels it changed.
    tab.get_by_text("after 0 changed pixels").wait_for(timeout=60_000)
    stroke(tab, [(30, 140), (250, 140)])  # the Probe page's only canvas
    tab.get_by_text(re.compile(r"after [1-9]\d* changed pixels?")).wait_for(timeout=60_000)

    tab.get_by_role("tab", name="Operate on it").click()
    tab.get_by_text("Operated on (unchanged)").wait_for(timeout=60_000)
    slider = tab.get_by_role("slider", name="How many of its 32")
    slider.focus()
    tab.keyboard.press("End")
    tab.get_by_text("32 of conv_32 off").wait_for(timeout=60_000)
    wait_idle(tab)
    accuracy = tab.locator("[data-testid=stMetricValue]").first.inner_text()
    assert float(accuracy.rstrip("%")) < 30
