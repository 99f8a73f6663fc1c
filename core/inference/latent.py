"""Walking the latent space of a stored generator: interpolations and the VAE's 2-D map."""

from __future__ import annotations

import threading

import keras
import numpy as np

from core import store
from core.inference import warm
from core.models import generative


class Sampler:
    """A stored generator (or VAE) kept warm for drawing; safe across threads."""

    def __init__(self, stored: store.StoredModel) -> None:
        self.card = stored.card
        self.spec = generative.spec(self.card.name)
        model = stored.model
        self.encoder = model.get_layer("encoder") if self.spec.kind == "vae" else None
        self.generator = model.get_layer("decoder") if self.spec.kind == "vae" else model
        self.lock = threading.Lock()

    def draw(self, z: np.ndarray, digits: np.ndarray | None = None) -> np.ndarray:
        """Return images (n, 28, 28) in [0, 1] for latent vectors z (n, latent_dim)."""
        with self.lock:
            return generative.draw(self.generator, self.spec, z, digits)

    def random_z(self, count: int, seed: int | None) -> np.ndarray:
        """Return `count` latent vectors drawn from the prior N(0, I), reproducibly."""
        return generative.random_z(count, self.spec.latent_dim, seed)

    def encode(self, images: np.ndarray) -> np.ndarray:
        """Return the VAE's latent means (n, 2) for images (n, 28, 28) in [0, 1]."""
        if self.encoder is None:
            raise ValueError(f"{self.card.name} has no encoder; only the VAE maps images back.")
        images = np.asarray(images, np.float32).reshape(-1, *generative.IMAGE_SHAPE)
        with self.lock:
            parts = [keras.ops.convert_to_numpy(self.encoder(images[i : i + 2000],
                                                             training=False)[0])
                     for i in range(0, len(images), 2000)]
        return np.concatenate(parts)


def slerp(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """Return `steps` vectors on the great circle from a to b (spherical interpolation):
    unlike a straight line, every point keeps the norm typical of the prior."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    path = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    return path.astype(np.float32)


def plane(extent: float, count: int) -> np.ndarray:
    """Return a count x count grid of 2-D points over [-extent, extent]², top row first
    (high y at the top, as on a chart)."""
    values = np.linspace(-extent, extent, count, dtype=np.float32)
    ys, xs = np.meshgrid(values[::-1], values, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def load_sampler(name: str, dataset: str = "mnist") -> Sampler:
    """Return a warm sampler from the store (raises store.StoreError when unavailable)."""
    return warm.load(name, dataset, Sampler)
