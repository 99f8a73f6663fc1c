"""Calibration: the reliability diagram, temperature scaling and the "I don't know" curve."""

from __future__ import annotations

import numpy as np
from scipy import special

from core.inference import calibration


def overconfident(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logits whose softmax is sharper than their accuracy warrants (true temperature 3)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    logits = rng.normal(0, 1, (n, 10))
    logits[np.arange(n), labels] += 2.0
    honest = special.softmax(logits, axis=1)
    resampled = np.array([rng.choice(10, p=p) for p in honest])  # labels drawn from the model
    return special.softmax(3 * logits, axis=1), resampled


def test_a_calibrated_model_has_a_small_error_and_an_overconfident_one_a_large_one():
    sharp, labels = overconfident()
    honest = calibration.scale(sharp, 3.0)
    assert calibration.reliability(honest, labels).ece < 0.03
    assert calibration.reliability(sharp, labels).ece > 0.15


def test_temperature_scaling_finds_the_temperature_and_lowers_the_error():
    sharp, labels = overconfident()
    found = calibration.calibrate(sharp, labels)
    assert 2.5 < found.temperature < 3.5
    assert found.after.ece < found.before.ece / 3
    assert found.held_out + found.evaluated == len(labels)


def test_scaling_never_changes_the_answer():
    sharp, _ = overconfident(500)
    assert np.array_equal(calibration.scale(sharp, 2.0).argmax(axis=1), sharp.argmax(axis=1))


def test_the_bins_count_every_image_once():
    sharp, labels = overconfident(1000)
    bins = calibration.reliability(sharp, labels)
    assert bins.counts.sum() == 1000 and len(bins.edges) == calibration.BINS + 1


def test_a_higher_threshold_answers_fewer_and_gets_more_right():
    sharp, labels = overconfident()
    share, accuracy = calibration.coverage_curve(sharp, labels, np.array([0.0, 0.5, 0.9, 0.99]))
    assert share[0] == 1.0 and np.all(np.diff(share) <= 0)
    assert accuracy[3] > accuracy[0]
