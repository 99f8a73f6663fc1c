"""Training-lab figures: MNIST to 99 % and best, Fashion-MNIST best, the LSTM's RMSE, and
training throughput with the lab page open in Chromium against the same run headless.

Every run is `python -m core lab train --preset P` in a fresh home (the real datasets
linked in), as a lecturer would start it; the Fashion-MNIST model is then measured with
`python -m core evaluate lab_N --dataset fashion_mnist`.
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.common import core_command, home_restored, page_throughput, train_with_page_open, write
from core import settings
from core.models.lstm import LECTURE_RMSE, LSTMConfig
from core.training import forecast, lab
from tests.e2e.browser import start_lab_training

PAGE_EPOCHS = 1  # the page's cost is measured on 1-epoch runs: three pairs in about 12 minutes
GOALS = {"fashion_accuracy": 0.93, "mnist_seconds_to_99": 30.0, "mnist_best_accuracy": 0.995,
         "page_throughput_ratio": 0.90, "lstm_test_rmse_below": 48.75}


def lab_train(home: Path, preset: str, dataset: str = "mnist", *options: str) -> dict:
    result = core_command(home, "lab", "train", "--preset", preset, "--dataset", dataset,
                          *options)
    return {k: result[k] for k in ("model", "network", "config", "test_accuracy",
                                   "train_seconds", "steps_per_s", "seconds_to_99")}


def with_page_open(home: Path) -> dict:
    """The lab's first preset trained for PAGE_EPOCHS from the page in Chromium, the page left
    open."""
    train_with_page_open(home, functools.partial(start_lab_training, epochs=PAGE_EPOCHS),
                         "finished: test accuracy", 600_000)
    return last_run_rate()


def last_run_rate() -> dict:
    """The newest lab run's training time and speed."""
    run = lab.runs()[-1]
    steps = round(run.batches[-1][0] * run.steps_per_epoch)
    return {"train_seconds": round(run.train_seconds, 1),
            "steps_per_s": round(steps / run.train_seconds, 2)}


def lstm() -> dict:
    result = forecast.train(LSTMConfig())
    return {"config": str(result.config), "train_rmse": round(result.train_rmse, 2),
            "test_rmse": round(result.test_rmse, 2), "seconds": round(result.seconds, 1),
            "lecture": LECTURE_RMSE}


def headless_rate(home: Path) -> float:
    """Steps per second of the page runs' recipe, trained from the command line."""
    return lab_train(home, "small", "mnist", "--epochs", str(PAGE_EPOCHS))["steps_per_s"]


def main(page_only: bool = False) -> dict:
    """Every figure, or (`python -m bench.lab page`) only the page's cost in throughput."""
    result: dict = {"goals": GOALS}
    started = time.monotonic()
    with home_restored(), tempfile.TemporaryDirectory(prefix="nc-bench-lab-") as root:
        home = Path(root)
        (home / "data").symlink_to(settings.data_dir(), target_is_directory=True)
        if not page_only:
            result["mnist_fast"] = lab_train(home, "fast")
            result["mnist_best"] = lab_train(home, "best")
            fashion = lab_train(home, "best", "fashion_mnist")
            fashion["evaluate"] = core_command(home, "evaluate", fashion["model"], "--dataset",
                                               "fashion_mnist")
            result["fashion_best"] = fashion
            result["lstm"] = lstm()
        result["page"] = page_throughput(lambda: headless_rate(home),
                                         lambda: with_page_open(home))
    result["bench_seconds"] = round(time.monotonic() - started)
    return write("lab_page" if page_only else "lab", result)


if __name__ == "__main__":
    print(json.dumps(main(page_only=sys.argv[1:] == ["page"]), indent=2))
