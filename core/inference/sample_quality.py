"""How good are generated digits? Measured with a trained classifier, as a judge.

- confident: the share of samples the classifier reads with probability >= 0.9 that its
  "is it a digit?" detector (core.inference.novelty) does not flag: an untrained
  generator's blobs can be read as one digit with confidence, but they are not digits;
- class shares: which digits get drawn (a missing class is mode collapse, made visible);
- Inception Score: exp(E[KL(p(y|x) || p(y))]), between 1 (noise) and 10 (sharp digits of
  every class in equal shares; real test digits score about 9.9);
- Fréchet distance between the classifier's penultimate features of the samples and of
  the test set (0 for the test set against itself; lower is better).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import tensorflow as tf
from scipy import linalg

from core import store
from core.data import datasets
from core.inference import novelty, predict, warm
from core.models import zoo

CONFIDENT = 0.9
SAMPLES = 1000


@dataclass(frozen=True)
class Quality:
    """The judge's verdict on a batch of samples."""

    confident: float
    class_shares: np.ndarray  # (classes,) sums to 1
    inception_score: float
    frechet_distance: float
    asked_accuracy: float | None = None  # a conditional GAN: share drawn as the digit asked for

    def as_dict(self) -> dict:
        """Return the verdict as plain numbers (for JSON, cards and charts)."""
        return {"confident": self.confident, "class_shares": [float(s) for s in self.class_shares],
                "min_class_share": float(self.class_shares.min()),
                "inception_score": self.inception_score,
                "frechet_distance": self.frechet_distance,
                "asked_accuracy": self.asked_accuracy}


class Judge:
    """A stored classifier that returns its penultimate features with its probabilities,
    and the feature statistics of the test set to compare samples against."""

    def __init__(self, stored: store.StoredModel) -> None:
        self.card = stored.card
        model = stored.model
        logits = predict.outputs_logits_of(self.card)
        described = novelty.describer(model, logits)
        self.detector = novelty.detector_of(stored, logits)
        shape = tuple(model.inputs[0].shape[1:])

        def read_features_probabilities(images: tf.Tensor) -> tuple[tf.Tensor, ...]:
            read, features, outputs = described(tf.reshape(images, (-1, *shape)), training=False)
            return read, features, tf.nn.softmax(outputs) if logits else outputs

        self._call = tf.function(read_features_probabilities,
                                 input_signature=[tf.TensorSpec((None, 28, 28), tf.float32)])
        self.lock = threading.Lock()
        test_images = datasets.load(self.card.dataset).images("test")
        reference, _, _ = self.read(test_images)
        self.reference = _moments(reference)

    def read(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return penultimate features, probabilities and not-a-digit flags for images
        (n, 28, 28) in [0, 1] (no flags, all False, without a detector)."""
        images = np.asarray(images, np.float32).reshape(-1, 28, 28)
        reads, features, probabilities = [], [], []
        with self.lock:
            for start in range(0, len(images), 1000):
                r, f, p = self._call(images[start : start + 1000])
                reads.append(r.numpy())
                features.append(f.numpy())
                probabilities.append(p.numpy())
        features = np.concatenate(features)
        flags = (self.detector.flags(np.concatenate(reads)) if self.detector
                 else np.zeros(len(features), bool))
        return features, np.concatenate(probabilities), flags

    def measure(self, images: np.ndarray, asked: np.ndarray | None = None) -> Quality:
        """Judge samples (n, 28, 28) in [0, 1]; `asked` holds the digits a conditional
        generator was asked for."""
        features, probabilities, not_digits = self.read(images)
        digits = probabilities.argmax(axis=1)
        shares = np.bincount(digits, minlength=probabilities.shape[1]) / len(digits)
        return Quality(
            confident=float(((probabilities.max(axis=1) >= CONFIDENT) & ~not_digits).mean()),
            class_shares=shares,
            inception_score=inception_score(probabilities),
            frechet_distance=frechet_distance(_moments(features), self.reference),
            asked_accuracy=None if asked is None else float((digits == asked).mean()),
        )


def inception_score(probabilities: np.ndarray) -> float:
    """Return exp(mean KL(p(y|x) || p(y))) for rows of class probabilities."""
    p = np.clip(np.asarray(probabilities, np.float64), 1e-12, 1.0)
    marginal = p.mean(axis=0, keepdims=True)
    return float(np.exp(np.mean(np.sum(p * (np.log(p) - np.log(marginal)), axis=1))))


def frechet_distance(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """Return the Fréchet distance between two Gaussians given as (mean, covariance)."""
    (mean_a, cov_a), (mean_b, cov_b) = a, b
    root = linalg.sqrtm(cov_a @ cov_b)
    if np.iscomplexobj(root):
        root = root.real
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * root)
    return float(max(distance, 0.0))


def _moments(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    features = np.asarray(features, np.float64)
    covariance = np.cov(features, rowvar=False)
    # Dead ReLU units have zero variance; a tiny ridge keeps the matrix square root defined.
    return features.mean(axis=0), covariance + 1e-6 * np.eye(len(covariance))


def judge_card(dataset: str) -> store.Card | None:
    """Return the card of the store's best classifier for a dataset (the judge), or None."""
    return predict.best_card(dataset, zoo.CLASSIFIERS)


def load_judge(dataset: str) -> Judge:
    """Return the warm judge for a dataset (raises store.StoreError when none is trained)."""
    card = judge_card(dataset)
    if card is None:
        raise store.ModelMissing(f"No classifier has been trained on {dataset} yet, so generated "
                                 "images cannot be judged: train one first.")
    return warm.load(card.name, dataset, Judge)
