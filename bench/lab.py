"""Training-lab figures: MNIST to 99 % and best, Fashion-MNIST best, the LSTM's RMSE, and
training throughput with the lab page open in Chromium against the same run headless.

Every run is `python -m core lab train --preset P` in a fresh home (the real datasets
linked in), as a lecturer would start it; the Fashion-MNIST model is then measured with
`python -m core evaluate lab_N --dataset fashion_mnist`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from bench.common import core_command, write
from core import lab, sequences, settings
from tests.e2e.browser import CHROMIUM, launch, running_app, start_lab_training

GOALS = {"fashion_accuracy": 0.93, "mnist_seconds_to_99": 30.0, "mnist_best_accuracy": 0.995,
         "page_throughput_ratio": 0.90, "lstm_test_rmse_below": 48.75}


def lab_train(home: Path, preset: str, dataset: str = "mnist") -> dict:
    result = core_command(home, "lab", "train", "--preset", preset, "--dataset", dataset)
    return {k: result[k] for k in ("model", "network", "config", "test_accuracy",
                                   "train_seconds", "steps_per_s", "seconds_to_99")}


def with_page_open(home: Path) -> dict:
    """The lab's first preset trained from the page in Chromium, the page left open."""
    from playwright.sync_api import sync_playwright

    with running_app({settings.HOME_ENV: str(home), settings.AUTOTRAIN_ENV: "0"}) as url:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1600, "height": 1400})
            start_lab_training(page, url)
            page.get_by_text("finished: test accuracy").wait_for(timeout=600_000)
            browser.close()
    os.environ[settings.HOME_ENV] = str(home)
    run = lab.runs()[-1]
    steps = round(run.batches[-1][0] * run.steps_per_epoch)
    return {"train_seconds": round(run.train_seconds, 1),
            "steps_per_s": round(steps / run.train_seconds, 2)}


def lstm() -> dict:
    forecast = sequences.train(sequences.LSTMConfig())
    return {"config": str(forecast.config), "train_rmse": round(forecast.train_rmse, 2),
            "test_rmse": round(forecast.test_rmse, 2), "seconds": round(forecast.seconds, 1),
            "lecture": sequences.LECTURE_RMSE}


def main() -> dict:
    previous = os.environ.get(settings.HOME_ENV)
    result: dict = {"goals": GOALS}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nc-bench-lab-") as root:
        home = Path(root)
        (home / "data").symlink_to(settings.data_dir(), target_is_directory=True)
        result["mnist_fast"] = lab_train(home, "fast")
        result["mnist_best"] = lab_train(home, "best")
        fashion = lab_train(home, "best", "fashion_mnist")
        fashion["evaluate"] = core_command(home, "evaluate", fashion["model"], "--dataset",
                                           "fashion_mnist")
        result["fashion_best"] = fashion
        result["lstm"] = lstm()
        if CHROMIUM.exists():
            headless = lab_train(home, "small")
            page = with_page_open(home)
            result["page"] = {"headless_steps_per_s": headless["steps_per_s"], **page,
                              "throughput_ratio": round(page["steps_per_s"]
                                                        / headless["steps_per_s"], 3)}
        else:
            result["page"] = {"skipped": "no Chromium at /usr/bin/chromium"}
    result["bench_seconds"] = round(time.monotonic() - started)
    if previous is None:
        os.environ.pop(settings.HOME_ENV, None)
    else:
        os.environ[settings.HOME_ENV] = previous
    return write("lab", result)


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
