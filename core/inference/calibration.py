"""How far to trust a classifier's confidence: is it right 90 % of the time when it says 90 %?

The reliability diagram bins the test images by the model's confidence and compares each
bin's confidence with its accuracy; the expected calibration error (ECE) is their gap
averaged over the images. Temperature scaling (Guo et al., "On calibration of modern
neural networks", 2017) divides the log-probabilities by one number T, fitted on a held-out
split: it changes how sure the model is, never what it answers. A confidence threshold
turns the model into one that says "I don't know": the coverage / accuracy curve shows
what each threshold trades.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

BINS = 15


@dataclass(frozen=True)
class Reliability:
    """The reliability diagram's bins (equal widths of confidence) and the ECE."""

    edges: np.ndarray  # (BINS + 1,)
    confidence: np.ndarray  # (BINS,) mean confidence per bin (NaN where empty)
    accuracy: np.ndarray  # (BINS,) accuracy per bin (NaN where empty)
    counts: np.ndarray  # (BINS,) images per bin
    ece: float


@dataclass(frozen=True)
class Calibration:
    """A classifier's calibration on the evaluation split, before and after scaling."""

    temperature: float
    before: Reliability
    after: Reliability
    held_out: int  # images T was fitted on
    evaluated: int  # images the diagrams count


def reliability(probabilities: np.ndarray, labels: np.ndarray, bins: int = BINS) -> Reliability:
    """Bin images by confidence and compare each bin's confidence with its accuracy."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(which, confidence, bins) / counts
        mean_accuracy = np.bincount(which, correct.astype(float), bins) / counts
    gaps = np.nan_to_num(np.abs(mean_confidence - mean_accuracy)) * counts
    return Reliability(edges, mean_confidence, mean_accuracy, counts,
                       float(gaps.sum() / max(1, len(labels))))


def scale(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Return softmax(log p / T): the same ranking, sharper (T < 1) or softer (T > 1)."""
    logits = np.log(np.clip(probabilities, 1e-12, 1.0)) / temperature
    return special.softmax(logits, axis=1)


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Return the temperature that minimises the negative log-likelihood of the labels."""
    log_p = np.log(np.clip(probabilities, 1e-12, 1.0))

    def nll(log_t: float) -> float:
        scaled = special.log_softmax(log_p / np.exp(log_t), axis=1)
        return -float(scaled[np.arange(len(labels)), labels].mean())

    found = optimize.minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(found.x))


def calibrate(probabilities: np.ndarray, labels: np.ndarray) -> Calibration:
    """Fit T on the first half of the images and measure both diagrams on the second half."""
    half = len(labels) // 2
    temperature = fit_temperature(probabilities[:half], labels[:half])
    rest, rest_labels = probabilities[half:], labels[half:]
    return Calibration(temperature, reliability(rest, rest_labels),
                       reliability(scale(rest, temperature), rest_labels), half, len(rest_labels))


def coverage_curve(probabilities: np.ndarray, labels: np.ndarray,
                   thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each threshold: the share of images answered (confidence >= threshold) and the
    accuracy on those (NaN where none is answered)."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    answered = confidence[None, :] >= np.asarray(thresholds)[:, None]
    counts = answered.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = (answered & correct[None]).sum(axis=1) / counts
    return counts / len(labels), accuracy
