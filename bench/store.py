"""What versions cost a save: `store.save` now against the store before versions (read from
git history, run in the same process on the same model and disk), interleaved, median.
Goal: <= 1.10x. Run: python -m bench.store"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import percentiles, write
from core import settings, store
from core.models import zoo
from core.models.zoo import TrainConfig

BEFORE_VERSIONS = "477de36"  # the last commit whose store kept one file per model
ROUNDS = 40  # past the count of versions kept, so pruning is part of what is timed
GOAL_RATIO = 1.10


def store_before_versions():
    """The store module as it was before versions, loaded from git under another name."""
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(["git", "show", f"{BEFORE_VERSIONS}:core/store.py"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    spec = importlib.util.spec_from_loader("store_before_versions", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    exec(compile(source, "store_before_versions.py", "exec"), module.__dict__)
    return module


def main() -> dict:
    before = store_before_versions()
    model = zoo.build("cnn_best")
    times: dict[str, list[float]] = {"before": [], "now": []}
    with tempfile.TemporaryDirectory() as home:
        os.environ[settings.HOME_ENV] = home
        for round_ in range(ROUNDS):
            for label, module, name in (("before", before, "cnn_before"), ("now", store,
                                                                            "cnn_best")):
                card = module.new_card(name, "mnist", "timed", TrainConfig(),
                                       test_accuracy=0.9 + round_ / 1000, test_loss=0.1,
                                       train_seconds=1.0, epochs=1)
                started = time.perf_counter()
                module.save(model, card)
                times[label].append(time.perf_counter() - started)
        kept = len(store.versions("cnn_best", "mnist"))
    before_ms, now_ms = percentiles(times["before"]), percentiles(times["now"])
    return write("store", {
        "model": "cnn_best (untrained)", "rounds": ROUNDS, "versions_kept": kept,
        "save_before_versions": before_ms, "save_with_versions": now_ms,
        "ratio_p50": round(now_ms["p50_ms"] / before_ms["p50_ms"], 3),
        "goal_ratio": GOAL_RATIO})


if __name__ == "__main__":
    print(main())
