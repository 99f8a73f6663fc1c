"""The Denoising lab's figures: classifier accuracy on noisy and denoised test images, and
the slider's hot path (noise + denoise + classify + metrics for a 16-image grid).

Uses the store's most accurate clean-trained classifier and its best denoiser for each
noise, on the full 10,000-image MNIST test set (the same numbers as
`python -m core evaluate NAME --noise KIND:LEVEL --denoiser best`). Beside it, every
stored clean CNN that never met the denoiser in training (not its guide): a denoiser that
restores digits costs them no more than it costs the first; one that paints cues for its
guide does. And
the denoiser's own marks: the brightest place where the clean digits have background.
"""

from __future__ import annotations

import time

import numpy as np

from bench.common import percentiles, write
from core.data import datasets, image_quality, noise
from core.inference import denoise, predict
from core.models import zoo

LEVELS = {"gaussian": (0.2, 0.6, 1.0), "salt_pepper": (0.2, 0.4, 0.6)}
GOALS = {"gaussian": {0.2: 0.993, 0.6: 0.980, 1.0: 0.880}, "salt_pepper": {0.6: 0.960}}
INDEPENDENT_GAP_GOAL = 0.015  # the independent reader loses at most this much more
GLOW_IMAGES, GLOW_GOAL = 1000, 0.05
REPORT = {"gaussian": {0.2: 0.9911, 0.6: 0.9799, 1.0: 0.9482}}
GRID, REPEATS = 16, 100
SLIDER_GOAL_MS = 100.0


def clean_classifier() -> predict.Classifier | None:
    """The most accurate classifier trained on clean images."""
    card = predict.best_card("mnist", zoo.CLEAN_CLASSIFIERS)
    return predict.load_classifier(card.name) if card else None


def accuracies(classifier: predict.Classifier) -> dict:
    loaded = datasets.load("mnist")
    images, labels = loaded.images("test"), loaded.labels("test")
    return {kind: noise_figures(kind, classifier, images, labels) for kind in LEVELS}


def noise_figures(kind: str, classifier: predict.Classifier, images: np.ndarray,
                  labels: np.ndarray) -> dict:
    """One noise's levels: noisy and denoised accuracy, and what each independent reader (a
    stored clean CNN other than the classifier and the denoiser's guide) loses beyond it."""
    card = denoise.best_denoiser("mnist", kind)
    denoiser = denoise.load_denoiser(card.name)
    guide = card.config.get("guide")
    others = [predict.load_classifier(other.name) for other in predict.ranked_cards(
        "mnist", tuple(n for n in zoo.CNNS if n in zoo.CLEAN_CLASSIFIERS
                       and n not in (classifier.card.name, guide)))]
    readers = [classifier, *others]
    clean = {reader.card.name: reader.accuracy(images, labels) for reader in readers}
    levels = {}
    for level in LEVELS[kind]:
        noisy = noise.add_noise(images, kind, level)
        restored = denoiser.denoise(noisy)
        read = {reader.card.name: reader.accuracy(restored, labels) for reader in readers}
        lost = {name: clean[name] - accuracy for name, accuracy in read.items()}
        extra = {name: lost[name] - lost[classifier.card.name] for name in lost}
        levels[str(level)] = {
            "noisy": classifier.accuracy(noisy, labels), "denoised": read[classifier.card.name],
            "goal": GOALS.get(kind, {}).get(level), "report": REPORT.get(kind, {}).get(level),
            "independent": {"extra_loss": {o.card.name: extra[o.card.name] for o in others},
                            "worst": max(others, key=lambda o: extra[o.card.name]).card.name}
            if others else None,
        }
    return {"denoiser": card.name, "quick_recipe": card.quick, "guide": guide, "clean": clean,
            "independent_extra_loss_goal": INDEPENDENT_GAP_GOAL, "levels": levels}


def background_glow() -> dict:
    """The denoiser's own marks: over GLOW_IMAGES test digits at each level of both noises,
    the brightest pixel position where the clean digits have background. (Not salt and
    pepper 1.0, which replaces every pixel: no denoiser can do better than draw the average
    digit there.)"""
    clean = datasets.load("mnist").images("test")[:GLOW_IMAGES]
    found = {}
    for kind, levels in LEVELS.items():
        denoiser = denoise.load_denoiser(denoise.best_denoiser("mnist", kind).name)
        for level in levels:
            found[f"{kind}:{level}"] = brightest_background(
                clean, denoiser.denoise(noise.add_noise(clean, kind, level)))
    worst = max(found, key=lambda key: found[key]["brightness"])
    return {"images": GLOW_IMAGES, "goal_max": GLOW_GOAL, "worst_at": worst,
            "worst": found[worst], "levels": found}


def brightest_background(clean: np.ndarray, restored: np.ndarray) -> dict:
    """The glow figure: the brightest position of `image_quality.background_glow`, and where."""
    glow = image_quality.background_glow(clean, restored)
    row, col = np.unravel_index(np.nanargmax(glow), glow.shape)
    return {"brightness": round(float(glow[row, col]), 4), "row": int(row), "col": int(col)}


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
    if classifier is None:
        raise SystemExit("No classifier is trained: run `python -m core models train cnn_best`.")
    return write("denoise", {"classifier": classifier.card.name, "test_images": 10000,
                             "accuracy": accuracies(classifier),
                             "background_glow": background_glow(),
                             "slider": slider_latency(classifier)})


if __name__ == "__main__":
    print(main())
