"""The two corruptions of the seeds, seeded and vectorised over a batch.

Gaussian (the report): `x + level * N(0, 1)`, clipped to [0, 1].
Salt and pepper (the assignment): each pixel, with probability `level`, set to 0 or 1.
A level may be one number or one per image, so training can draw a level per image.
"""

from __future__ import annotations

import numpy as np

NOISES = {"gaussian": "Gaussian", "salt_pepper": "Salt and pepper"}
Seed = int | np.random.Generator


def add_noise(images: np.ndarray, kind: str, level: float | np.ndarray,
              seed: Seed = 0) -> np.ndarray:
    """Return noisy float32 copies of images (n, ...) in [0, 1]; level 0 returns them as given.

    `level` is a number or an array of one level per image. The same seed gives the same
    noise, so a slider that returns to a level shows the same picture.
    """
    if kind not in NOISES:
        raise ValueError(f"Unknown noise {kind!r}; choose one of {', '.join(NOISES)}.")
    images = np.asarray(images, dtype=np.float32)
    rng = np.random.default_rng(seed)
    levels = _per_image(level, images)
    if kind == "gaussian":
        noisy = images + levels * rng.standard_normal(images.shape, dtype=np.float32)
        return np.clip(noisy, 0.0, 1.0)
    hit = rng.random(images.shape, dtype=np.float32) < levels
    salt = rng.random(images.shape, dtype=np.float32) < 0.5
    return np.where(hit, salt.astype(np.float32), images)


def random_noise(images: np.ndarray, rng: np.random.Generator,
                 max_level: float = 1.0, skew: float = 1.0) -> np.ndarray:
    """Corrupt each image with a random kind of noise at a random level in [0, max_level].

    This is how the denoisers and the noise-trained classifier see their training data,
    so one model serves every position of the slider and both kinds of noise. Levels are
    `max_level * u ** (1 / skew)` for u uniform: skew 1 spreads them evenly, skew 2 draws
    them with a density that grows linearly with the level, towards the hard end.
    """
    images = np.asarray(images, dtype=np.float32)
    uniform = rng.uniform(0.0, 1.0, len(images))
    levels = (max_level * uniform ** (1.0 / skew)).astype(np.float32)
    gaussian = rng.random(len(images)) < 0.5
    noisy = np.empty_like(images)
    for kind, chosen in (("gaussian", gaussian), ("salt_pepper", ~gaussian)):
        if chosen.any():
            noisy[chosen] = add_noise(images[chosen], kind, levels[chosen], rng)
    return noisy


def _per_image(level: float | np.ndarray, images: np.ndarray) -> np.ndarray:
    """Broadcast a level (or one per image) against a batch of images."""
    levels = np.asarray(level, dtype=np.float32)
    if np.any(levels < 0) or np.any(levels > 1):
        raise ValueError("A noise level is between 0 and 1.")
    if levels.ndim == 0:
        return levels
    return levels.reshape(len(images), *([1] * (images.ndim - 1)))
