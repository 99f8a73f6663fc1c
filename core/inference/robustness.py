"""How a classifier copes with digits drawn differently from MNIST's: the test set under each
transformation of core.data.distortions at one strength, read by each classifier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.data import distortions
from core.inference import evaluation

Reader = Callable[[np.ndarray], np.ndarray]  # images (n, 28, 28) -> probabilities (n, classes)
SAMPLES = 2000  # test digits per transformation: a point is 20 digits


@dataclass(frozen=True)
class Robustness:
    """Accuracy per transformation (and "clean") per classifier, at one strength."""

    strength: float
    samples: int
    accuracy: dict[str, dict[str, float]]  # transformation -> classifier -> accuracy

    def drop(self, classifier: str) -> dict[str, float]:
        """Return each transformation's loss of accuracy against clean, in points."""
        clean = self.accuracy["clean"][classifier]
        return {kind: 100 * (clean - by_model[classifier])
                for kind, by_model in self.accuracy.items() if kind != "clean"}


def measure(readers: dict[str, Reader], images: np.ndarray, labels: np.ndarray,
            strength: float, kinds: tuple[str, ...] = distortions.TRANSFORMS) -> Robustness:
    """Read the clean images and each transformation of them with every classifier."""
    accuracy: dict[str, dict[str, float]] = {}
    for kind in ("clean", *kinds):
        shown = images if kind == "clean" else distortions.distort(images, kind, strength)
        accuracy[kind] = {name: float((read(shown).argmax(axis=1) == labels).mean())
                          for name, read in readers.items()}
    return Robustness(strength, len(labels), accuracy)


def worst_mistakes(read: Reader, images: np.ndarray, labels: np.ndarray, kind: str,
                   strength: float, count: int = 16) -> tuple[np.ndarray, list[evaluation.Mistake]]:
    """Return the transformed images and the `count` mistakes the classifier was surest of."""
    shown = distortions.distort(images, kind, strength)
    return shown, evaluation.evaluate(read(shown), labels).mistakes[:count]
