"""How much of a digit Gaussian noise leaves to read: the yardstick for the denoising goals.

A denoiser followed by a classifier is a classifier of noisy images, so no pipeline can
read more than the noisy images hold. This measures, on the same noisy MNIST test images
as `bench.denoise` (seed 0), with the noise model's exact likelihood (`x + level * N(0, 1)`
clipped to [0, 1], so a pixel at 0 or 1 has the probability of the whole clipped tail):

- `outshone`: the share of noisy images that some training digit of another class explains
  better than the image's own clean digit does. Reading those right means betting against
  the evidence.
- `oracle`: the accuracy of the Bayes classifier whose candidates are the 60,000 training
  digits plus, as a gift no real reader has, the image's own clean digit. An estimate of
  the ceiling from above: it knows the one candidate that matters.
- `bayes`: the same without the gift, an estimate from below (test digits are not
  training digits).
- `bayes_denoiser_glow`: the artifact measure of `bench.denoise` (the brightest background
  position over its 1,000 digits) for the Bayes denoiser, the posterior mean of the
  training digits given the noisy image. Where the noise has hidden the writer's strokes,
  the best guess is other writers' strokes of the digit, and they light up positions that
  are background in this writer's digit: the yardstick for how dark a denoiser that
  restores a readable digit can keep them.

    python -m bench.noise_ceiling   # under 7 minutes for the three levels on the 2-core CPU
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr, logsumexp, softmax

from bench.common import write
from bench.denoise import GLOW_IMAGES, brightest_background
from core.data import datasets, noise

LEVELS = (0.2, 0.6, 1.0)
BATCH = 500


def pixel_terms(clean: np.ndarray, level: float) -> np.ndarray:
    """Features of clean images (n, 784): their dot product with `noisy_terms` is
    log p(noisy | clean)."""
    terms = [log_ndtr(-clean / level), log_ndtr((clean - 1) / level), clean / level**2,
             -clean**2 / (2 * level**2)]
    return np.concatenate(terms, axis=1).astype(np.float32)


def noisy_terms(noisy: np.ndarray) -> np.ndarray:
    """Per pixel: clipped to 0, clipped to 1, or inside with its value (the terms up to a
    constant of each noisy image, which no comparison between candidates needs)."""
    low, high = noisy <= 0, noisy >= 1
    inside = ~(low | high)
    return np.concatenate([low, high, inside * noisy, inside], axis=1).astype(np.float32)


def ceiling(level: float, train: np.ndarray, train_labels: np.ndarray, test: np.ndarray,
            test_labels: np.ndarray) -> dict:
    candidates = pixel_terms(train, level)
    observed = noisy_terms(noise.add_noise(test, "gaussian", level, seed=0))
    own = np.einsum("ij,ij->i", observed, pixel_terms(test, level)).astype(np.float64)
    classes = [train_labels == digit for digit in range(10)]
    scores = np.empty((len(test), 10))
    strongest_rival = np.empty(len(test))
    restored = []  # the Bayes denoiser's images of the first GLOW_IMAGES
    for start in range(0, len(test), BATCH):
        rows = slice(start, start + BATCH)
        likelihood = (observed[rows] @ candidates.T).astype(np.float64)
        if start < GLOW_IMAGES:
            restored.append(posterior_mean(likelihood[:GLOW_IMAGES - start], train))
        scores[rows] = np.stack([logsumexp(likelihood[:, c], axis=1) for c in classes], axis=1)
        rival = np.where(train_labels[None, :] == test_labels[rows, None], -np.inf, likelihood)
        strongest_rival[rows] = rival.max(axis=1)
    everyone = np.arange(len(test))
    oracle = scores.copy()
    oracle[everyone, test_labels] = np.logaddexp(oracle[everyone, test_labels], own)
    shown = (-1, 28, 28)
    return {"bayes": round(float(np.mean(scores.argmax(1) == test_labels)), 4),
            "oracle": round(float(np.mean(oracle.argmax(1) == test_labels)), 4),
            "outshone": round(float(np.mean(strongest_rival > own)), 4),
            "bayes_denoiser_glow": brightest_background(
                test[:GLOW_IMAGES].reshape(shown), np.concatenate(restored).reshape(shown))}


def posterior_mean(likelihood: np.ndarray, train: np.ndarray) -> np.ndarray:
    """The training digits (n, 784) averaged with each noisy image's posterior weights
    (a uniform prior over them): the restoration with the least expected squared error."""
    return softmax(likelihood, axis=1).astype(np.float32) @ train


def main() -> dict:
    loaded = datasets.load("mnist")
    flat = {split: loaded.images(split).reshape(-1, 28 * 28) for split in ("train", "test")}
    test_labels = loaded.labels("test")
    return write("noise_ceiling", {"test_images": len(test_labels), "gaussian": {
        str(level): ceiling(level, flat["train"], loaded.labels("train"), flat["test"],
                            test_labels) for level in LEVELS}})


if __name__ == "__main__":
    print(main())
