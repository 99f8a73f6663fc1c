"""The Denoising lab's figures: classifier accuracy on noisy and denoised test images, and
the slider's hot path (noise + denoise + classify + metrics for a 16-image grid).

Uses the store's most accurate clean-trained classifier and its best denoiser for each
noise, on the full 10,000-image MNIST test set (the same numbers as
`python -m core evaluate NAME --noise KIND:LEVEL --denoiser best`).
"""

from __future__ import annotations

import time

import numpy as np

from bench.common import percentiles, write
from core.data import datasets
from core.inference import denoise, predict
from core.models import zoo
from core.training import noise_sweep

LEVELS = {"gaussian": (0.2, 0.6, 1.0), "salt_pepper": (0.2, 0.4, 0.6)}
GOALS = {"gaussian": {0.2: 0.992, 0.6: 0.986, 1.0: 0.960}}
REPORT = {"gaussian": {0.2: 0.9911, 0.6: 0.9799, 1.0: 0.9482}}
GRID, REPEATS = 16, 100
SLIDER_GOAL_MS = 100.0


def clean_classifier() -> predict.Classifier:
    names = tuple(n for n in zoo.CLASSIFIERS if n != noise_sweep.NOISE_TRAINED)
    card = predict.best_card("mnist", names)
    if card is None:
        raise SystemExit("No classifier is trained: run `python -m core models train cnn_best`.")
    return predict.load_classifier(card.name)


def accuracies(classifier: predict.Classifier) -> dict:
    loaded = datasets.load("mnist")
    images, labels = loaded.images("test"), loaded.labels("test")
    found = {}
    for kind, levels in LEVELS.items():
        card = denoise.best_denoiser("mnist", kind)
        denoiser = denoise.load_denoiser(card.name)
        found[kind] = {"denoiser": card.name, "levels": {
            str(level): {
                "noisy": denoise.accuracy_under_noise(classifier, images, labels, kind, level),
                "denoised": denoise.accuracy_under_noise(classifier, images, labels, kind,
                                                         level, denoiser),
                "goal": GOALS.get(kind, {}).get(level),
                "report": REPORT.get(kind, {}).get(level),
            } for level in levels}}
    return found


def slider_latency(classifier: predict.Classifier) -> dict:
    """Each move of the slider: a new level for the same 16 images, everything recomputed."""
    images = datasets.load("mnist").images("test")[:GRID, ..., 0]
    denoiser = denoise.load_denoiser(denoise.best_denoiser("mnist", "gaussian").name)
    levels = np.linspace(0.0, 1.0, 21)
    timings = []
    for step in range(REPEATS):
        started = time.perf_counter()
        denoise.restore(images, "gaussian", float(levels[step % len(levels)]), denoiser,
                        classifier)
        timings.append(time.perf_counter() - started)
    return percentiles(timings) | {"goal_p50_ms": SLIDER_GOAL_MS, "images": GRID,
                                   "denoiser": denoiser.card.name}


def main() -> dict:
    classifier = clean_classifier()
    return write("denoise", {"classifier": classifier.card.name, "test_images": 10000,
                             "accuracy": accuracies(classifier),
                             "slider": slider_latency(classifier)})


if __name__ == "__main__":
    print(main())
