"""Which of two versions of a model is better, in its task's own measure: the store puts a
new version in use only when it does not measure worse than the one in use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core.store import Card


def replaces(new: Card, current: Card | None) -> bool:
    """Whether a new version takes over from the one in use: unless it measures worse. A
    full recipe always takes over from a quick one, first launch's stand-in."""
    if current is None or (current.quick and not new.quick):
        return True
    new_quality, old_quality = quality(new), quality(current)
    return new_quality is None or old_quality is None or new_quality >= old_quality


def quality(card: Card) -> float | None:
    """The number that ranks a model's versions, higher is better, in its task's measure: a
    generator's Inception Score by its judge (not its share of confidently read samples,
    which an untrained generator's blobs can top), how often a classifier reads a
    denoiser's restored images right, the line autoencoder's reconstruction loss (negated),
    a classifier's test accuracy. None where it was not measured."""
    metrics = card.metrics
    if "quality" in metrics:
        return metrics["quality"].get("inception_score")
    denoised = [rows for rows in metrics.values() if isinstance(rows, dict) and "psnr" in rows]
    if denoised:
        restored = [value for rows in denoised for value in rows.get("accuracy", [])]
        return float(np.mean(restored)) if restored else None
    if "mean_loss" in metrics:
        return -card.test_loss
    return card.test_accuracy
