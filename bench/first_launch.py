"""Time from `streamlit run` with an empty model store (data cached) to the first prediction
of a digit drawn in the browser, to the quick CNN's (first launch trains it first), to both
networks' answers, then to the Denoising lab's first denoised grid, which nobody asked for:
first launch trains a quick denoiser right after the quick classifiers. Goals on the 2-core
CPU: the first prediction <= 60 s, the denoised grid <= 180 s after the first CNN's
prediction."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import write
from core import settings
from tests.e2e.browser import (
    CHROMIUM,
    launch,
    one_stroke,
    predicted_digits,
    running_app,
    stroke,
    wait_idle,
)

GOAL_S = 60.0
# The Draw page's CNN column (its title names a CNN) shows an answer.
CNN_ANSWERED = ("() => [...document.querySelectorAll('[data-testid=\"stColumn\"]')].some("
                "column => column.querySelector('.nc-digit') && column.innerText.includes('CNN'))")
DENOISER_GOAL_S = 180.0


def main() -> dict:
    if not CHROMIUM.exists():
        return write("first_launch", {"skipped": "no Chromium at /usr/bin/chromium"})
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="nc-first-launch-") as home:
        (Path(home) / "data").symlink_to(settings.data_dir(), target_is_directory=True)
        started = time.monotonic()
        with running_app({settings.HOME_ENV: home, settings.AUTOTRAIN_ENV: "1"}) as url:
            healthy = time.monotonic() - started
            with sync_playwright() as playwright:
                browser = launch(playwright)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/draw")
                wait_idle(page)
                stroke(page, one_stroke())
                predicted_digits(page, count=1, timeout=300_000)
                first_prediction = time.monotonic() - started
                page.wait_for_function(CNN_ANSWERED, timeout=300_000)
                first_cnn_prediction = time.monotonic() - started
                digits = predicted_digits(page, count=2, timeout=300_000)
                both_networks = time.monotonic() - started
                page.goto(f"{url}/denoise")
                page.get_by_text("PSNR, denoised").first.wait_for(timeout=600_000)
                denoised_grid = time.monotonic() - started
                browser.close()
    return write("first_launch", {
        "server_healthy_s": round(healthy, 1), "first_prediction_s": round(first_prediction, 1),
        "first_cnn_prediction_s": round(first_cnn_prediction, 1),
        "both_networks_s": round(both_networks, 1), "predicted": digits,
        "goal_s": GOAL_S, "denoised_grid_s": round(denoised_grid, 1),
        "denoised_grid_after_first_cnn_s": round(denoised_grid - first_cnn_prediction, 1),
        "denoiser_goal_s": DENOISER_GOAL_S,
    })


if __name__ == "__main__":
    print(main())
