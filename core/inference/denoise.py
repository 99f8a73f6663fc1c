"""Denoisers at work: warm models, denoised classification, and how much they restore.

A denoiser is a zoo model with task "denoiser" trained on both kinds of noise at every
level (core.data.noise.random_noise), so one model serves the whole slider. Its card carries
PSNR and SSIM before and after denoising at a few levels (`quality`), which is how "the
best denoiser for this noise" is chosen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from core import store
from core.data import image_quality, noise
from core.inference import warm
from core.inference.predict import Classifier
from core.models import zoo

QUALITY_LEVELS = (0.2, 0.6, 1.0)
QUALITY_SAMPLES = 2000  # test images per level for a card's PSNR/SSIM
# First launch's quick denoiser is measured on fewer: 2,000 per level took 125 s on a slow
# 2-core host, longer than its training (120 s then, 60 s now), before the noise slider could
# work; 500 took 25 s, side by side. An accuracy near 90 % then has a standard error of 1.3 points
# instead of 0.7; the full recipe's card replaces it.
QUICK_QUALITY_SAMPLES = 500
Restore = Callable[[np.ndarray], np.ndarray]
Read = Callable[[np.ndarray], np.ndarray]  # images to the classes a reader sees in them


class Denoiser:
    """A stored denoiser, traced once for any batch size; safe across threads."""

    def __init__(self, stored: store.StoredModel) -> None:
        self.model, self.card = stored.model, stored.card
        self.input_shape = tuple(self.model.inputs[0].shape[1:])
        model = self.model
        # The report's decoder ends in ReLU, so outputs can pass 1: clip to the image range.
        self._clean = tf.function(
            lambda x: tf.clip_by_value(model(x, training=False), 0.0, 1.0),
            input_signature=[tf.TensorSpec((None, *self.input_shape), tf.float32)],
        )
        self.lock = threading.Lock()
        self.denoise(np.zeros((1, *self.input_shape), np.float32))

    def denoise(self, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
        """Return cleaned copies of images (n, H, W[, C]) in [0, 1], in the same shape."""
        images = np.asarray(images, dtype=np.float32)
        batch = images.reshape(len(images), *self.input_shape)
        parts = []
        with self.lock:
            for start in range(0, len(batch), batch_size):
                parts.append(self._clean(batch[start : start + batch_size]).numpy())
        return np.concatenate(parts).reshape(images.shape)


def load_denoiser(name: str, dataset: str = "mnist") -> Denoiser:
    """Return a warm denoiser from the store (raises store.StoreError when unavailable)."""
    return warm.load(name, dataset, Denoiser)


def quality(restore: Restore, images: np.ndarray, samples: int = QUALITY_SAMPLES,
            levels: tuple[float, ...] = QUALITY_LEVELS, seed: int = 0,
            labels: np.ndarray | None = None, read: Read | None = None) -> dict:
    """Measure a denoiser on the first `samples` test images at each noise and level.

    Returns {noise: {"levels", "psnr_noisy", "psnr", "ssim_noisy", "ssim"}}, each a list
    of per-level means: what a model card keeps. Given the labels and a reader (images to
    classes), the rows also say how often it reads the noisy and the restored images right
    ("accuracy_noisy", "accuracy"): what ranks denoisers.
    """
    clean = images[:samples]
    report = {}
    for kind in noise.NOISES:
        rows: dict[str, list[float]] = {"levels": list(levels), "psnr_noisy": [], "psnr": [],
                                        "ssim_noisy": [], "ssim": []}
        for level in levels:
            noisy = noise.add_noise(clean, kind, level, seed)
            restored = restore(noisy)
            for key, metric in (("psnr", image_quality.psnr), ("ssim", image_quality.ssim)):
                rows[f"{key}_noisy"].append(round(float(metric(clean, noisy).mean()), 4))
                rows[key].append(round(float(metric(clean, restored).mean()), 4))
            if read is not None and labels is not None:
                for key, shown in (("accuracy_noisy", noisy), ("accuracy", restored)):
                    right = float(np.mean(read(shown) == labels[:samples]))
                    rows.setdefault(key, []).append(round(right, 4))
        report[kind] = rows
    return report


def mean_psnr(card: store.Card, kind: str) -> float:
    """Return a denoiser's mean PSNR over its card's levels for one noise (-inf if unknown)."""
    values = card.metrics.get(kind, {}).get("psnr")
    return float(np.mean(values)) if values else float("-inf")


def mean_accuracy(card: store.Card, kind: str) -> float | None:
    """Return how often a reader read a denoiser's restored images right over its card's
    levels for one noise, or None where the card does not say."""
    values = card.metrics.get(kind, {}).get("accuracy")
    return float(np.mean(values)) if values else None


def headline(card: store.Card) -> str:
    """Say in a few words how good a stored model is, in the measure its task has."""
    quality = card.metrics.get("quality")
    if quality:  # a generator, judged by a classifier
        asked = quality.get("asked_accuracy")
        return (f"IS {quality['inception_score']:.2f} · {quality['confident']:.0%} confident"
                + (f" · {asked:.0%} as asked" if asked is not None else ""))
    task = zoo.SPECS[card.name].task if card.name in zoo.SPECS else "classifier"
    if task == "anomaly":
        return f"reconstruction loss {card.test_loss:.5f}"
    if task == "classifier":
        return f"test accuracy {card.test_accuracy:.2%}"
    rows = card.metrics.get("gaussian")
    if not rows:
        return "denoiser (not measured)"
    psnr = f"PSNR {np.mean(rows['psnr_noisy']):.1f} → {np.mean(rows['psnr']):.1f} dB"
    if "accuracy" not in rows:
        return f"Gaussian {psnr}"
    return (f"Gaussian: read right {np.mean(rows['accuracy_noisy']):.0%} → "
            f"{np.mean(rows['accuracy']):.0%} ({card.metrics.get('reader')}), {psnr}")


def trained_for(card: store.Card) -> str:
    """Say how much training a stored model had: "6 epochs", or "40 % of an epoch" where a
    quick recipe's time budget stopped it."""
    if stopped := card.metrics.get("stopped_early"):
        done = stopped["steps"] / stopped["steps_per_epoch"]
        return f"{done * 100:.0f} % of an epoch" if done < 1 else f"{done:.1f} epochs"
    return f"{card.epochs} epoch{'' if card.epochs == 1 else 's'}"


def ranked_denoisers(dataset: str, kind: str) -> list[store.Card]:
    """Return the stored denoisers, best on this noise first: by how often their restored
    images are read right, then (cards that do not say) by PSNR."""
    def rank(card: store.Card) -> tuple[bool, float, float]:
        accuracy = mean_accuracy(card, kind)
        return accuracy is None, -(accuracy or 0.0), -mean_psnr(card, kind)

    return sorted((card for card in store.cards(dataset) if card.name in zoo.DENOISERS),
                  key=rank)


def best_denoiser(dataset: str, kind: str) -> store.Card | None:
    """Return the card of the stored denoiser that restores this noise best, or None."""
    return next(iter(ranked_denoisers(dataset, kind)), None)


@dataclass(frozen=True)
class Restoration:
    """A batch of images through noise, a denoiser and a classifier, with the numbers."""

    clean: np.ndarray  # (n, H, W) in [0, 1]
    noisy: np.ndarray
    denoised: np.ndarray
    noisy_probabilities: np.ndarray  # (n, classes)
    denoised_probabilities: np.ndarray
    psnr_noisy: np.ndarray  # (n,) dB
    psnr_denoised: np.ndarray
    ssim_noisy: np.ndarray  # (n,)
    ssim_denoised: np.ndarray


def restore(images: np.ndarray, kind: str, level: float, denoiser: Denoiser,
            classifier: Classifier | None, seed: int = 0) -> Restoration:
    """Add noise to images (n, H, W), denoise them, classify both: the slider's hot path.
    Without a classifier (none trained yet) the probabilities are empty rows."""
    clean = np.asarray(images, dtype=np.float32)
    noisy = noise.add_noise(clean, kind, level, seed)
    denoised = denoiser.denoise(noisy)
    both = np.concatenate([noisy, denoised])
    probabilities = (classifier.probabilities(both) if classifier is not None
                     else np.empty((len(both), 0), np.float32))
    return Restoration(
        clean, noisy, denoised, probabilities[: len(clean)], probabilities[len(clean) :],
        image_quality.psnr(clean, noisy), image_quality.psnr(clean, denoised),
        image_quality.ssim(clean, noisy), image_quality.ssim(clean, denoised),
    )


def accuracy_under_noise(classifier: Classifier, images: np.ndarray, labels: np.ndarray,
                         kind: str, level: float, denoiser: Denoiser | None = None,
                         seed: int = 0) -> float:
    """Return the classifier's accuracy on noisy images, denoised first if a denoiser is given."""
    noisy = noise.add_noise(images, kind, level, seed)
    return classifier.accuracy(denoiser.denoise(noisy) if denoiser else noisy, labels)
