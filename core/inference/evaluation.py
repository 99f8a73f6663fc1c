"""What a trained classifier gets right and wrong on the test set, class by class."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Mistake:
    index: int  # in the test set
    true: int
    predicted: int
    confidence: float  # of the (wrong) prediction


@dataclass(frozen=True)
class Evaluation:
    confusion: np.ndarray  # (classes, classes): row = true class, column = predicted
    mistakes: list[Mistake]  # the most confident first

    @property
    def accuracy(self) -> float:
        return float(np.trace(self.confusion) / self.confusion.sum())

    @property
    def per_class(self) -> np.ndarray:
        """Each class's share of its test images classified right (recall)."""
        return np.diag(self.confusion) / np.maximum(1, self.confusion.sum(axis=1))


def evaluate(probabilities: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Build the confusion matrix and the list of mistakes from predicted probabilities."""
    classes = probabilities.shape[1]
    predicted = probabilities.argmax(axis=1)
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    order = wrong[np.argsort(-confidence, kind="stable")]
    mistakes = [Mistake(int(i), int(labels[i]), int(predicted[i]),
                        float(probabilities[i, predicted[i]])) for i in order]
    return Evaluation(confusion, mistakes)
