"""The lecture's line autoencoder: it rebuilds its own line best and flags the others."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.inference import anomaly, warm


def test_points_follow_the_line_within_the_noise():
    rng = np.random.default_rng(0)
    points = anomaly.points(1000, rng, slope=1.5, scale=0.1)
    residual = points[:, 1] - (1.5 * points[:, 0] - 1)
    assert np.abs(residual).max() <= 0.1 and np.abs(points).max() <= 1.5
    assert 0 <= points[:, 0].min() and points[:, 0].max() <= 1


def test_the_trained_autoencoder_rebuilds_normal_points_best(use_trained):
    detector = warm.load(anomaly.MODEL, anomaly.DATASET, anomaly.Detector)
    means = {name: values.mean() for name, values in detector.losses.items()}
    assert means["clean"] < means["noisier"] and means["clean"] < means["wrong"]
    assert detector.card.metrics["mean_loss"]["clean"] == pytest.approx(means["clean"], rel=1e-4)


def test_detection_counts_against_known_losses():
    losses = {"clean": np.array([0.1, 0.2, 0.9]), "noisier": np.array([0.5, 0.05]),
              "wrong": np.array([0.7, 0.8])}
    found = anomaly.detect(losses, threshold=0.3)
    # Flagged: clean 0.9; noisier 0.5; wrong 0.7, 0.8 -> 3 of 4 flagged are anomalies.
    assert found.precision == pytest.approx(3 / 4)
    assert found.recall == pytest.approx(3 / 4)
    assert found.recall_by_kind == {"noisier": 0.5, "wrong": 1.0}
    assert found.false_alarms == pytest.approx(1 / 3)
    assert math.isnan(anomaly.detect(losses, threshold=1.0).precision)  # nothing flagged
