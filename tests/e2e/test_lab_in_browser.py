"""Train in the lab from a real browser: the curves grow, stop keeps the run, it is listed."""

from __future__ import annotations

import pytest

from tests.e2e.browser import (
    LAB_CURVE_POINTS,
    lab_curve_points,
    start_lab_training,
    stop_job,
    wait_idle,
)

pytestmark = pytest.mark.e2e


def test_train_watch_the_curves_grow_stop_and_find_the_run(tab, app_url):
    start_lab_training(tab, app_url)
    tab.wait_for_function(f"() => ({LAB_CURVE_POINTS})() > 5", timeout=90_000)
    before = lab_curve_points(tab)
    tab.wait_for_function(f"() => ({LAB_CURVE_POINTS})() > {before}", timeout=30_000)
    stop_job(tab)
    tab.get_by_text("stopped early: test accuracy").wait_for(timeout=90_000)
    wait_idle(tab)
    tab.locator("[data-testid=stButtonGroup] button", has_text="Compare runs").click()
    wait_idle(tab)
    tab.locator("[data-testid=stDataFrame]").wait_for(timeout=30_000)
    # The run, overlaid: the chart draws after the table, so wait for its legend, do not peek.
    # (The table's cells hold the same name in hidden accessibility cells; look in the chart.)
    chart = tab.locator("[data-testid=stPlotlyChart]").first
    chart.get_by_text("CNN 32-64 k3 BN").first.wait_for(state="visible", timeout=30_000)
    assert tab.locator("[data-testid=stException]").count() == 0
