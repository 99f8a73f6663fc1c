"""Why did it say that: Grad-CAM on the last convolution stage, occlusion sensitivity, and
the training images nearest to a drawing in the network's own feature space.

Grad-CAM (Selvaraju et al., 2017) weighs each map of the last convolution stage by how much
the chosen class's score (its logit, less the mean logit) rises with it; occlusion slides a
grey patch over the image and records how much the chosen probability drops. The nearest
neighbours are found among all 60,000 training digits by cosine similarity of the
penultimate layer's features (the input to the last Dense layer), computed once per model
file and cached on disk.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from scipy import ndimage

from core.data import datasets
from core.inference import inspect, model_cache
from core.inference.predict import Classifier
from core.models.taps import Taps, last_dense

OCCLUSION_PATCH = 6
OCCLUSION_STRIDE = 2
OCCLUSION_GREY = 0.5
NEIGHBOURS = 5
FEATURE_BATCH = 2000


def penultimate(model: keras.Model) -> str:
    """The layer whose output the last Dense layer reads (past any dropout, which does
    nothing when reading)."""
    before = model.layers.index(last_dense(model)) - 1
    while isinstance(model.layers[before], keras.layers.Dropout):
        before -= 1
    return model.layers[before].name


class Explainer:
    """A classifier's Grad-CAM and feature extractor, traced once."""

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier
        model, logits = classifier.model, classifier.outputs_logits
        shape = classifier.input_shape
        stages = [stage for stage in inspect.stages(model) if stage.kind == "conv"]
        self.cam_layer = stages[-1].layers[-1] if stages else None
        taps = Taps(model)
        features = taps.model(taps.output(penultimate(model)))
        if self.cam_layer:  # one pass: the gradient reaches the maps the outputs came from
            maps_and_outputs = taps.model([taps.output(self.cam_layer), taps.outputs])

        def log_probabilities(outputs: tf.Tensor) -> tf.Tensor:
            if logits:
                return tf.nn.log_softmax(outputs)
            return tf.math.log(tf.clip_by_value(outputs, 1e-12, 1.0))

        def grad_cam(images: tf.Tensor, chosen: tf.Tensor) -> tf.Tensor:
            with tf.GradientTape() as tape:
                feature_maps, outputs = maps_and_outputs(images, training=False)
                # The class's logit against the mean logit: log p minus its mean over the
                # classes, which needs no softmax-free output and, unlike log p, does not
                # flatten to zero gradient when the network is 100 % sure.
                log_p = log_probabilities(outputs)[0]
                score = log_p[chosen] - tf.reduce_mean(log_p)
            weights = tf.reduce_mean(tape.gradient(score, feature_maps), axis=(1, 2))
            cam = tf.nn.relu(tf.reduce_sum(feature_maps * weights[:, None, None, :], axis=-1))
            return cam[0]

        one = tf.TensorSpec((1, *shape), tf.float32)
        batch = tf.TensorSpec((None, *shape), tf.float32)
        self._grad_cam = (tf.function(grad_cam, input_signature=[one, tf.TensorSpec((), tf.int32)])
                          if self.cam_layer else None)
        self._features = tf.function(lambda images: features(images, training=False),
                                     input_signature=[batch])
        self._shape = shape

    def grad_cam(self, image: np.ndarray, chosen: int) -> np.ndarray | None:
        """Return the (28, 28) Grad-CAM map in [0, 1] for class `chosen`; None for a network
        without convolutions (an MLP)."""
        if self._grad_cam is None:
            return None
        with self.classifier.lock:
            cam = self._grad_cam(self._batch(image[None]), np.int32(chosen))
        cam = cam.numpy()
        size = image.shape[0]
        heat = ndimage.zoom(cam, size / cam.shape[0], order=1)[:size, :size]
        top = heat.max()
        return (heat / top if top > 0 else heat).astype(np.float32)

    def occlusion(self, image: np.ndarray, chosen: int, patch: int = OCCLUSION_PATCH,
                  stride: int = OCCLUSION_STRIDE) -> np.ndarray:
        """Return the (28, 28) drop of class `chosen`'s probability when a grey patch covers
        each pixel (averaged over the patches that cover it; negative where covering helps)."""
        size = image.shape[0]
        corners = [(r, c) for r in range(0, size - patch + 1, stride)
                   for c in range(0, size - patch + 1, stride)]
        covered = np.repeat(np.asarray(image, np.float32)[None], len(corners), axis=0)
        for k, (r, c) in enumerate(corners):
            covered[k, r : r + patch, c : c + patch] = OCCLUSION_GREY
        probabilities = self.classifier.probabilities(
            np.concatenate([np.asarray(image, np.float32)[None], covered]))
        base, chosen_p = probabilities[0, chosen], probabilities[1:, chosen]
        drop, counts = np.zeros((size, size), np.float32), np.zeros((size, size), np.float32)
        for (r, c), p in zip(corners, chosen_p, strict=True):
            drop[r : r + patch, c : c + patch] += base - p
            counts[r : r + patch, c : c + patch] += 1
        return drop / np.maximum(counts, 1)

    def features(self, images: np.ndarray, batch_size: int = FEATURE_BATCH,
                 progress=None) -> np.ndarray:
        """Return the penultimate features (n, d) of images (n, 28, 28)."""
        found = []
        for start in range(0, len(images), batch_size):
            with self.classifier.lock:
                found.append(self._features(self._batch(images[start : start + batch_size]))
                             .numpy())
            if progress is not None:
                progress(min(1.0, (start + batch_size) / len(images)))
        return np.concatenate(found).astype(np.float32)

    def _batch(self, images: np.ndarray) -> np.ndarray:
        return np.asarray(images, np.float32).reshape(len(images), *self._shape)


@dataclass(frozen=True)
class Neighbours:
    """The training images nearest to one drawing."""

    indices: np.ndarray  # into the training set
    images: np.ndarray  # (k, 28, 28)
    labels: np.ndarray  # (k,)
    similarity: np.ndarray  # (k,) cosine similarity in [-1, 1]


class FeatureIndex:
    """All training digits' penultimate features, unit length, for cosine nearest neighbours."""

    def __init__(self, unit_features: np.ndarray, images: np.ndarray, labels: np.ndarray) -> None:
        self.unit_features, self.images, self.labels = unit_features, images, labels

    def nearest(self, features: np.ndarray, k: int = NEIGHBOURS) -> Neighbours:
        """Return the k training images whose features point most nearly the same way."""
        query = features / max(float(np.linalg.norm(features)), 1e-12)
        similarity = self.unit_features @ query
        top = np.argpartition(-similarity, k)[:k]
        top = top[np.argsort(-similarity[top])]
        return Neighbours(top, self.images[top], self.labels[top], similarity[top])


def index_is_cached(classifier: Classifier) -> bool:
    return model_cache.path(classifier.card, "features").exists()


def feature_index(classifier: Classifier, progress=None) -> FeatureIndex:
    """Return the training set's feature index: kept in memory, read from the disk cache, or
    computed (about 20 s for the CNN on 2 cores) and cached under the model file's name."""
    with _LOCK:
        found = _INDEXES.get(classifier)
    if found is not None:
        return found
    loaded = datasets.load(classifier.card.dataset)
    images, labels = loaded.images("train")[:, :, :, 0], loaded.labels("train")
    kept = model_cache.load(classifier.card, "features")
    if kept is not None:
        unit = kept["unit"]
    else:
        found = explainer(classifier).features(images, progress=progress)
        unit = (found / np.maximum(np.linalg.norm(found, axis=1, keepdims=True), 1e-12)
                ).astype(np.float16)
        model_cache.save(classifier.card, "features", unit=unit)
    index = FeatureIndex(unit.astype(np.float32), images, labels)
    with _LOCK:
        _INDEXES[classifier] = index
    return index


_EXPLAINERS: weakref.WeakKeyDictionary[Classifier, Explainer] = weakref.WeakKeyDictionary()
_INDEXES: weakref.WeakKeyDictionary[Classifier, FeatureIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def explainer(classifier: Classifier) -> Explainer:
    """Return the classifier's explainer, traced once and kept while the classifier lives."""
    with _LOCK:
        found = _EXPLAINERS.get(classifier)
        if found is None:
            found = _EXPLAINERS[classifier] = Explainer(classifier)
        return found
