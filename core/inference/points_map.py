"""A map of what a network knows: MAP_SAMPLES test digits placed in 2-D from the activations
of any layer, by PCA, t-SNE (scikit-learn) or UMAP (umap-learn).

Every method first reduces the activations to REDUCED dimensions with randomised PCA (the
usual first step for t-SNE and UMAP, and what keeps a 25,000-number conv layer fast). PCA
places a new drawing exactly by its projection; t-SNE and UMAP have no such map, so a
drawing goes to the similarity-weighted mean of its NEAREST neighbours among the digits.
The slow embeddings are cached per model file and layer.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from sklearn.decomposition import PCA

from core.data import datasets
from core.inference import explain, inspect, model_cache
from core.inference.predict import Classifier

METHODS = ("PCA", "t-SNE", "UMAP")
SLOW_METHODS = ("t-SNE", "UMAP")
MAP_SAMPLES = 2000
REDUCED = 50
# Power iterations of the randomised PCA. On cnn_best's layers 2 find the first two components
# of scikit-learn's "auto" (7) to a cosine of 0.998 or more, in a quarter of the time on the
# wide conv layers.
POWER_ITERATIONS = 2
NEAREST = 10
INPUT = "input (pixels)"
KEPT_MAPS = 8  # in memory, so moving another control of the page does not redo the map


def layers(model: keras.Model) -> list[str]:
    """The layers a map can be drawn from, input to output."""
    stages = [stage.layers[-1] for stage in inspect.stages(model)]
    named = [INPUT, *stages, explain.penultimate(model), model.layers[-1].name]
    return list(dict.fromkeys(named))  # no repeats, order kept


@dataclass(frozen=True)
class PointsMap:
    """MAP_SAMPLES digits placed in 2-D, and what is needed to place one more."""

    layer: str
    method: str
    points: np.ndarray  # (n, 2)
    labels: np.ndarray  # (n,)
    reduced: np.ndarray  # (n, k) PCA coordinates (k = 2 for PCA, REDUCED for the others)
    mean: np.ndarray  # (d,) of the activations
    components: np.ndarray  # (k, d)

    def place(self, activations: np.ndarray) -> np.ndarray:
        """Return where one drawing's activations (d,) land on the map."""
        reduced = (activations - self.mean) @ self.components.T
        if self.method == "PCA":
            return reduced[:2]
        distances = np.linalg.norm(self.reduced - reduced, axis=1)
        near = np.argsort(distances)[:NEAREST]
        weights = 1.0 / (distances[near] + 1e-6)
        return (self.points[near] * weights[:, None]).sum(axis=0) / weights.sum()


class Activations:
    """Any layer's activations of a classifier, flattened; one graph per layer (a fifth
    quicker than calling the layer's model eagerly on 2,000 digits)."""

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier
        self._readers: dict[str, tf.types.experimental.PolymorphicFunction] = {}

    def of(self, layer: str, images: np.ndarray) -> np.ndarray:
        images = np.asarray(images, np.float32).reshape(len(images), -1)
        if layer == INPUT:
            return images
        if layer not in self._readers:
            model = self.classifier.model
            reader = keras.Model(model.inputs[0], model.get_layer(layer).output)
            self._readers[layer] = tf.function(
                lambda batch: reader(batch, training=False),
                input_signature=[tf.TensorSpec((None, *self.classifier.input_shape))])
        batch = images.reshape(len(images), *self.classifier.input_shape)
        with self.classifier.lock:
            found = self._readers[layer](batch)
        return np.asarray(found).reshape(len(images), -1)


def test_digits(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    loaded = datasets.load(dataset)
    return loaded.images("test")[:MAP_SAMPLES, :, :, 0], loaded.labels("test")[:MAP_SAMPLES]


def points_map(classifier: Classifier, layer: str, method: str) -> PointsMap:
    """Return the map of MAP_SAMPLES test digits from `layer` by `method`: PCA in about a
    second; t-SNE and UMAP from the cache, or worked out (10 to 30 s) and cached."""
    if method not in METHODS:
        raise ValueError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    key = (classifier.card.dataset, classifier.card.file, layer, method, MAP_SAMPLES)
    with _LOCK:
        found = _MAPS.get(key)
    if found is None:
        found = _worked_out(classifier, layer, method)
        with _LOCK:
            _MAPS[key] = found
            while len(_MAPS) > KEPT_MAPS:  # the oldest first
                _MAPS.pop(next(iter(_MAPS)))
    return found


def _worked_out(classifier: Classifier, layer: str, method: str) -> PointsMap:
    images, labels = test_digits(classifier.card.dataset)
    found = activations(classifier).of(layer, images)
    # PCA alone needs only its first two components, which is several times faster.
    wanted = 2 if method == "PCA" else REDUCED
    pca = PCA(n_components=min(wanted, *found.shape), svd_solver="randomized",
              iterated_power=POWER_ITERATIONS, random_state=0, copy=False)  # found is ours
    reduced = pca.fit_transform(found).astype(np.float32)
    what = f"map.{method}.{layer}"
    kept = model_cache.load(classifier.card, what) if method in SLOW_METHODS else None
    if kept is not None:
        points = kept["points"]
    elif method == "PCA":
        points = reduced[:, :2]
    else:
        points = _embed(reduced, method)
        model_cache.save(classifier.card, what, points=points)
    return PointsMap(layer, method, points, labels, reduced, pca.mean_.astype(np.float32),
                     pca.components_.astype(np.float32))


def is_cached(classifier: Classifier, layer: str, method: str) -> bool:
    """Whether the map is instant: PCA always is; the others once worked out."""
    return method == "PCA" or model_cache.path(classifier.card,
                                               f"map.{method}.{layer}").exists()


def _embed(reduced: np.ndarray, method: str) -> np.ndarray:
    if method == "t-SNE":
        from sklearn.manifold import TSNE

        return TSNE(n_components=2, perplexity=30, init="pca", random_state=0
                    ).fit_transform(reduced).astype(np.float32)
    import umap  # imported here: it compiles its numba code on first import (seconds)

    # One job: a seed makes UMAP serial anyway (and says so if asked for more).
    return umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=0, n_jobs=1
                     ).fit_transform(reduced).astype(np.float32)


_ACTIVATIONS: weakref.WeakKeyDictionary[Classifier, Activations] = weakref.WeakKeyDictionary()
_MAPS: dict[tuple, PointsMap] = {}
_LOCK = threading.Lock()


def activations(classifier: Classifier) -> Activations:
    """Return the classifier's activations reader, kept while the classifier lives."""
    with _LOCK:
        found = _ACTIVATIONS.get(classifier)
        if found is None:
            found = _ACTIVATIONS[classifier] = Activations(classifier)
        return found
