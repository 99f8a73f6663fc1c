"""The lecture's first autoencoder: it learns points of f(x) = 2x + noise, and flags the
points it cannot rebuild (noisier ones, or a different line, f(x) = 1.5x) as anomalies.

The data follow the lecture's notebook: x uniform in [0, 1], y = slope x + uniform noise in
[-scale, scale] - 1, so both coordinates lie in [-1, 1] where the tanh output can reach.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np

from core import store

MODEL, DATASET = "ae_line", "line"
TRAIN_SIZE, TEST_SIZE = 10_000, 2_000
DATA_NOISE, TEST_NOISE, WRONG_SLOPE = 0.1, 0.3, 1.5
SEED = 24601  # the lecture's


def points(count: int, rng: np.random.Generator, slope: float = 2.0,
           scale: float = DATA_NOISE) -> np.ndarray:
    """Return (count, 2) points (x, slope x + noise - 1) with uniform noise in [-scale, scale]."""
    x = rng.uniform(0.0, 1.0, count)
    y = slope * x + rng.uniform(-scale, scale, count) - 1.0
    return np.stack([x, y], axis=1).astype(np.float32)


@dataclass(frozen=True)
class TestSets:
    """Fresh points the model never saw: normal ones and the two kinds of anomaly."""

    clean: np.ndarray
    noisier: np.ndarray
    wrong: np.ndarray


def test_sets(seed: int = SEED + 1) -> TestSets:
    rng = np.random.default_rng(seed)
    return TestSets(points(TEST_SIZE, rng), points(TEST_SIZE, rng, scale=TEST_NOISE),
                    points(TEST_SIZE, rng, slope=WRONG_SLOPE))


def reconstruction_loss(model: keras.Model, batch: np.ndarray) -> np.ndarray:
    """Return each point's squared reconstruction error, averaged over its two coordinates."""
    rebuilt = np.asarray(model(batch, training=False))
    return np.mean((rebuilt - batch) ** 2, axis=1)


def losses(model: keras.Model, sets: TestSets) -> dict[str, np.ndarray]:
    return {name: reconstruction_loss(model, getattr(sets, name))
            for name in ("clean", "noisier", "wrong")}


class Detector:
    """The stored autoencoder with its losses on the test sets, computed once when loaded."""

    def __init__(self, stored: store.StoredModel) -> None:
        self.model, self.card = stored.model, stored.card
        self.sets = test_sets()
        self.losses = losses(self.model, self.sets)


@dataclass(frozen=True)
class Detection:
    """What a threshold on the reconstruction loss catches."""

    threshold: float
    precision: float  # of the points flagged, the share that are anomalies
    recall: float  # of the anomalies, the share flagged
    recall_by_kind: dict[str, float]
    false_alarms: float  # of the normal points, the share flagged


def detect(point_losses: dict[str, np.ndarray], threshold: float,
           anomalies: tuple[str, ...] = ("noisier", "wrong")) -> Detection:
    """Flag every point whose loss exceeds the threshold; score it against the truth."""
    flagged = {name: values > threshold for name, values in point_losses.items()}
    true_hits = sum(int(flagged[name].sum()) for name in anomalies)
    all_flagged = sum(int(hits.sum()) for hits in flagged.values())
    anomaly_count = sum(len(flagged[name]) for name in anomalies)
    return Detection(
        threshold=threshold,
        precision=true_hits / all_flagged if all_flagged else math.nan,
        recall=true_hits / anomaly_count,
        recall_by_kind={name: float(flagged[name].mean()) for name in anomalies},
        false_alarms=float(flagged["clean"].mean()),
    )
