"""Teaching new symbols: transfer from cnn_best against learning from scratch, on synthetic
drawings of the five operators (core.data.symbols: random strokes, pen widths, sizes,
places, slants and rotations, through the canvas path).

Prints one JSON line with `transfer_10`, `transfer_1`, `scratch_10` (accuracy on 200
held-out drawings after `TEACH_SECONDS` of training with 10 or 1 examples per class) and
`transfer_10_seconds`, plus the learning curve, the time to the first live curve point,
the time from the end of training to the first reading of a drawing (the "none of these"
detector follows: its fitting time is reported apart), what that detector flags, and 30
concurrent senders into the pool. Needs cnn_best in the store.

    python -m bench.teach
"""

from __future__ import annotations

import json
import time

import numpy as np

from bench import teach_crowd
from bench.common import write
from core import store
from core.data import datasets, non_digits, symbols
from core.data.symbol_pool import Pool
from core.inference import novelty, predict
from core.training import teach

CLASSES = symbols.PRESETS["Operators"]
PER_CLASS = 10
HELD_OUT_PER_CLASS = 40  # 200 drawings
TEACH_SECONDS = 10.0


def examples(per_class: int, seed: int) -> Pool:
    images, labels = symbols.examples(CLASSES, per_class, seed)
    return Pool(CLASSES, images, labels, tuple(str(i) for i in range(len(labels))))


def reading_time(run: teach.TeachRun, way: str) -> float:
    """Seconds from a finished run to its network reading one drawing on the canvas."""
    start = time.perf_counter()
    classifier = predict.Classifier(store.StoredModel(run.models[way], run.card(way, "bench")))
    classifier.predict(run.held_out[0][0])
    return time.perf_counter() - start


def flags(run: teach.TeachRun, way: str) -> dict:
    """Shares flagged "none of these": held-out symbols, test digits, other drawings."""
    classifier = predict.Classifier(store.StoredModel(run.models[way], run.card(way, "bench")))
    others = tuple(f for f in non_digits.FAMILIES if f not in CLASSES)

    def flagged(images: np.ndarray) -> float:
        scores = classifier.read(images)[1]
        return round(float((scores > classifier.detector.threshold).mean()), 4)

    return {"held_out_symbols": flagged(run.held_out[0]),
            "mnist_test_digits": flagged(datasets.load("mnist").images("test")[:1000]),
            "other_drawings": flagged(non_digits.drawings(500, seed=7, families=others)[0])}


def main() -> dict:
    held_images, held_labels = symbols.examples(CLASSES, HELD_OUT_PER_CLASS, seed=2)
    held_out = held_images, held_labels
    config = teach.TeachConfig(seconds=TEACH_SECONDS)
    ten = teach.train(examples(PER_CLASS, seed=1), config, held_out=held_out)
    one = teach.train(examples(1, seed=1), config, held_out=held_out, detect=False)
    tuned = teach.train(examples(PER_CLASS, seed=1), teach.TeachConfig(
        seconds=TEACH_SECONDS, fine_tune=True), ways=("transfer",), held_out=held_out,
        detect=False)
    curve = teach.learning_curve(examples(PER_CLASS, seed=1),
                                 teach.TeachConfig(seconds=TEACH_SECONDS / 2), held_out=held_out)
    start = time.perf_counter()
    novelty.fit_symbols(ten.models["transfer"], examples(PER_CLASS, seed=1).images, held_images,
                        CLASSES)
    detector_fit_s = time.perf_counter() - start
    result = {
        "classes": list(CLASSES), "held_out": len(held_labels),
        "transfer_10": ten.accuracy("transfer"), "transfer_1": one.accuracy("transfer"),
        "scratch_10": ten.accuracy("scratch"), "scratch_1": one.accuracy("scratch"),
        "transfer_10_seconds": TEACH_SECONDS,
        "transfer_10_fine_tuned": tuned.accuracy("transfer"),
        "curves_10": {way: [[round(s, 2), a] for s, a in points]
                      for way, points in ten.curves.items()},
        "learning_curve": curve,
        "first_curve_point_s": round(ten.first_point_s, 2),
        "training_end_to_reading_s": round(reading_time(ten, "transfer"), 2),
        "detector_fit_s": round(detector_fit_s, 2),
        "none_of_these_flagged": flags(ten, "transfer"),
        "crowd": teach_crowd.crowd(),
        "goals": {"transfer_10": 0.9, "transfer_1": 0.6, "transfer_10_seconds": 10,
                  "first_curve_point_s": 2.0, "training_end_to_reading_s": 1.0},
    }
    print(json.dumps({key: result[key] for key in ("transfer_10", "transfer_1", "scratch_10",
                                                   "transfer_10_seconds")}))
    return write("teach", result)


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
