"""Move the noise slider in a real browser and see the grid and its numbers change; on first
launch, see a denoiser arrive without asking for one."""

from __future__ import annotations

import pytest

from core import settings, store
from core.models.zoo import TrainConfig
from core.training import fit
from tests.conftest import as_home, link_home, measured_as_quick
from tests.e2e.browser import running_app, wait_idle

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


def test_first_launch_trains_a_denoiser_and_the_grid_appears_unasked(trained_home, tmp_path,
                                                                      tab):
    """A store with first launch's quick classifiers but no denoiser (an empty store's state
    once its first CNN is in; the classifiers come from the trained home, so only the
    denoiser trains before the grid can show): with first-launch training on, the Denoising
    lab says a denoiser is training, then shows a denoised grid, and no button is pressed."""
    home = link_home(tmp_path / "home")
    for name in ("mlp", "cnn_report"):
        with as_home(trained_home):
            stored = store.load(name, "mnist")
        with as_home(home):
            store.save(stored.model, stored.card)
    with as_home(home), measured_as_quick():  # the Draw page's quick MLP, briefly
        fit.train_model("mlp_augmented", config=TrainConfig(epochs=1, train_samples=6000))
    # Its quick recipe trains 5 s, not 60: what arrives is as real, only blurrier.
    with running_app({settings.HOME_ENV: str(home), settings.AUTOTRAIN_ENV: "1",
                      settings.QUICK_SECONDS_ENV: "5"}) as url:
        tab.goto(f"{url}/denoise")
        tab.get_by_text("The first denoiser is training on this machine").wait_for(
            timeout=60_000)
        assert tab.get_by_text("first launch's quick recipe: 5 s of training").count() == 1
        # Measuring it for its card, under the other test worker's load on a slow host,
        # takes a minute or more.
        tab.get_by_text("Read right, denoised").wait_for(timeout=600_000)
        tab.locator("[data-testid=stImage] img").nth(15).wait_for()
        assert tab.get_by_text("First launch's quick denoiser").count() == 1
        assert tab.locator("[data-testid=stException]").count() == 0
