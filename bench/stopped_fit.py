"""What a training stopped mid-epoch leaves behind: the quick CNN trained on its first-launch
time budget (which stops it mid-epoch on most hosts) a few times, each followed by a garbage
collection. Batches once came through a tf.data prefetch thread whose iterator, left in a
reference cycle by the stopped fit, blocked the collecting thread about 9 s in 3 runs of 5
here (a fast Xeon host, session 18); whichever thread collected next (a page drawing a
prediction) waited that long.

Reports the steps reached, test accuracy, the collection's seconds, and the longest pause a
heartbeat thread saw during and after each fit. Ends with one JSON line.
"""

from __future__ import annotations

import gc
import json
import math
import threading
import time

import keras

from bench.common import write
from core.models import zoo
from core.training.fit import first_launch_recipe
from core.training.keras_loop import Batches, JobProgress, TimeBudget, compile_model, training_data

RUNS = 5
AFTER_S = 3.0  # how long the heartbeat watches after each collection


class Heartbeat(threading.Thread):
    """Wakes every 10 ms and remembers the longest it was kept from doing so."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopped, self.longest = threading.Event(), 0.0

    def run(self) -> None:
        last = time.monotonic()
        while not self.stopped.wait(0.01):
            now = time.monotonic()
            self.longest, last = max(self.longest, now - last), now


def one_run(seed: int) -> dict:
    spec = zoo.spec("cnn_report")
    config = first_launch_recipe(spec)
    keras.utils.set_random_seed(seed)
    x_train, y_train, x_test, y_test, classes = training_data("mnist", config)
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    model = spec.builder(quick=True)(x_train.shape[1:], classes)
    compile_model(model, config, spec.outputs_logits, steps_per_epoch)
    progress = JobProgress(None, steps_per_epoch * config.epochs, config.epochs)
    heartbeat = Heartbeat()
    heartbeat.start()
    with Batches(x_train, y_train, config) as batches:
        model.fit(batches, epochs=config.epochs, verbose=0,
                  validation_data=(x_test[:1000], y_test[:1000]),
                  callbacks=[progress, TimeBudget(config.time_budget_s)])
    started = time.monotonic()
    gc.collect()
    collect_s = time.monotonic() - started
    time.sleep(AFTER_S)
    heartbeat.stopped.set()
    heartbeat.join()
    accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]
    return {"steps": progress.step, "of_steps": steps_per_epoch * config.epochs,
            "test_accuracy": round(float(accuracy), 4), "collect_s": round(collect_s, 2),
            "longest_pause_s": round(heartbeat.longest, 2)}


def main() -> dict:
    runs = [one_run(seed) for seed in range(RUNS)]
    for run in runs:
        print(run, flush=True)
    return write("stopped_fit", {"runs": runs,
                                 "slowest_collect_s": max(run["collect_s"] for run in runs)})


if __name__ == "__main__":
    print(json.dumps(main()))
