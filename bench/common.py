"""Shared bits of the benchmarks: timing statistics and where results go."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from core import settings

RESULTS = Path(__file__).resolve().parent / "results"


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """Return p50/p95/mean of timings in milliseconds."""
    ms = np.asarray(samples_s) * 1000.0
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "mean_ms": round(float(ms.mean()), 2), "n": len(ms)}


def write(name: str, result: dict) -> dict:
    """Save one benchmark's result as bench/results/NAME.json, stamped with the machine."""
    RESULTS.mkdir(exist_ok=True)
    result = {"benchmark": name, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}", **result}
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    return result


def core_command(home: Path, *args: str, cpus: set[int] | None = None) -> dict:
    """Run `python -m core ARGS` with `home` as its home (on those CPUs only, if given);
    return its last line's JSON."""
    from tests.e2e.browser import pinned_to

    env = os.environ | {settings.HOME_ENV: str(home)}
    done = subprocess.run([sys.executable, "-m", "core", *args], env=env, capture_output=True,
                          text=True, check=True, preexec_fn=pinned_to(cpus))
    return json.loads(done.stdout.strip().splitlines()[-1])


def train_with_page_open(home: Path, start, finished_text: str | None, timeout_ms: float
                         ) -> None:
    """Run the app on `home`, let `start(page, url)` start training in Chromium, and leave
    the page open until `finished_text` shows (or, without one, until `start` returns);
    afterwards `home` is this process's home."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import launch, running_app

    with running_app({settings.HOME_ENV: str(home), settings.AUTOTRAIN_ENV: "0"}) as url:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport={"width": 1600, "height": 1400})
            start(page, url)
            if finished_text is not None:
                page.get_by_text(finished_text).wait_for(timeout=timeout_ms)
            browser.close()
    os.environ[settings.HOME_ENV] = str(home)


def page_throughput(headless_rate: Callable[[], float], with_page: Callable[[], dict],
                    pairs: int = 3) -> dict:
    """Training speed with the page open in Chromium against the same job headless: `pairs`
    headless-then-page runs, each page run divided by the headless run just before it, and
    the median of those ratios (this machine's speed drifts by 20 % between minutes, so one
    pair proves little)."""
    from tests.e2e.browser import CHROMIUM

    if not CHROMIUM.exists():
        return {"skipped": f"no Chromium at {CHROMIUM}"}
    headless, pages = [], []
    for _ in range(pairs):
        headless.append(headless_rate())
        pages.append(with_page())
    ratios = [page["steps_per_s"] / rate for page, rate in zip(pages, headless, strict=True)]
    return {"headless_steps_per_s": round(float(np.median(headless)), 2),
            "steps_per_s": round(float(np.median([p["steps_per_s"] for p in pages])), 2),
            "pairs": [{"headless_steps_per_s": round(rate, 2), **page,
                       "throughput_ratio": round(ratio, 3)}
                      for rate, page, ratio in zip(headless, pages, ratios, strict=True)],
            "throughput_ratio": round(float(np.median(ratios)), 3)}


@contextlib.contextmanager
def home_restored() -> Iterator[None]:
    """Put NEURAL_CANVAS_HOME back as it was (benchmarks point it at their own homes)."""
    previous = os.environ.get(settings.HOME_ENV)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(settings.HOME_ENV, None)
        else:
            os.environ[settings.HOME_ENV] = previous


@contextlib.contextmanager
def bench_home() -> Iterator[Path]:
    """A fresh home with the real datasets and the two classifiers the Draw page needs;
    removed afterwards."""
    home = Path(tempfile.mkdtemp(prefix="nc-bench-"))
    try:
        (home / "data").symlink_to(settings.data_dir(), target_is_directory=True)
        for name in ("mlp", "cnn_report"):
            subprocess.run([sys.executable, "-m", "core", "models", "train", name, "--quick"],
                           env=os.environ | {settings.HOME_ENV: str(home)}, check=True,
                           capture_output=True)
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)
