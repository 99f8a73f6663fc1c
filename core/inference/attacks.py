"""Adversarial examples: FGSM and PGD (L-infinity), untargeted or towards a chosen class, the
smallest epsilon that flips a reading, and the attack success rate over many digits.

Every attack works on log-probabilities, so a model that ends in a softmax and one that ends
in logits are attacked alike. An untargeted attack climbs the cross-entropy of the class it
must leave; a targeted one descends the cross-entropy of the class it must reach. Pixels stay
in [0, 1] and within epsilon of the original.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from core.inference.predict import Classifier

PGD_STEPS = 20
MAX_EPSILON = 0.5
SEARCH_POINTS = 16  # epsilons tried at once in each of the two rounds of the search


@dataclass(frozen=True)
class Attack:
    """One attacked image and what the classifier makes of it before and after."""

    original: np.ndarray  # (28, 28) in [0, 1]
    adversarial: np.ndarray  # (28, 28) in [0, 1]
    before: np.ndarray  # (classes,) probabilities of the original
    after: np.ndarray  # (classes,) probabilities of the adversarial image
    epsilon: float
    target: int | None  # the class it was pushed towards, None for untargeted

    @property
    def perturbation(self) -> np.ndarray:
        return self.adversarial - self.original

    @property
    def flipped(self) -> bool:
        """Whether the reading changed (to the target, for a targeted attack)."""
        if self.target is not None:
            return int(self.after.argmax()) == self.target
        return int(self.after.argmax()) != int(self.before.argmax())


class Attacker:
    """A classifier's attacks, traced once for batches of any size."""

    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier
        model, logits = classifier.model, classifier.outputs_logits
        shape = classifier.input_shape

        def log_probabilities(images: tf.Tensor) -> tf.Tensor:
            outputs = model(images, training=False)
            if logits:
                return tf.nn.log_softmax(outputs)
            return tf.math.log(tf.clip_by_value(outputs, 1e-12, 1.0))

        def direction(images, classes, targeted):
            """The sign of the gradient that moves each image away from (or towards) its class."""
            with tf.GradientTape() as tape:
                tape.watch(images)
                chosen = tf.gather(log_probabilities(images), classes, batch_dims=1)
            gradient = tf.sign(tape.gradient(chosen, images))
            # Leaving a class lowers its log-probability; reaching one raises it.
            return tf.where(targeted[:, None, None, None], gradient, -gradient)

        def pgd(images, classes, epsilon, targeted, steps, reach):
            epsilon = epsilon[:, None, None, None]
            step = reach * epsilon / tf.cast(steps, tf.float32)
            adversarial = images
            for _ in tf.range(steps):
                adversarial = adversarial + step * direction(adversarial, classes, targeted)
                adversarial = tf.clip_by_value(adversarial, images - epsilon, images + epsilon)
                adversarial = tf.clip_by_value(adversarial, 0.0, 1.0)
            return adversarial, tf.exp(log_probabilities(adversarial))

        batch = tf.TensorSpec((None, *shape), tf.float32)
        vector = tf.TensorSpec((None,), tf.float32)
        labels, flags = tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None,), tf.bool)
        count, scalar = tf.TensorSpec((), tf.int32), tf.TensorSpec((), tf.float32)
        self._pgd = tf.function(pgd, input_signature=[batch, labels, vector, flags, count,
                                                      scalar])
        self._read = tf.function(lambda images: tf.exp(log_probabilities(images)),
                                 input_signature=[batch])
        self._shape = shape

    def attack(self, image: np.ndarray, epsilon: float, target: int | None = None,
               steps: int = PGD_STEPS) -> Attack:
        """Attack one image (28, 28): FGSM when steps is 1 (one step of epsilon), PGD otherwise."""
        before = self.probabilities(image[None])[0]
        leave = int(before.argmax()) if target is None else target
        adversarial, after = self.run(image[None], np.array([leave]), np.array([epsilon]),
                                      target is not None, steps)
        return Attack(np.asarray(image, np.float32), adversarial[0], before, after[0],
                      float(epsilon), target)

    def run(self, images: np.ndarray, classes: np.ndarray, epsilons: np.ndarray,
            targeted: bool, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """Attack a batch: (n, 28, 28) images, each with its class to leave (or reach) and its
        epsilon. Return the adversarial images (n, 28, 28) and their probabilities."""
        n = len(images)
        batch = np.asarray(images, np.float32).reshape(n, *self._shape)
        with self.classifier.lock:
            adversarial, probabilities = self._pgd(
                batch, np.asarray(classes, np.int32), np.asarray(epsilons, np.float32),
                np.full(n, targeted), np.int32(steps), np.float32(reach(steps)))
        return adversarial.numpy().reshape(n, *images.shape[1:]), probabilities.numpy()

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        batch = np.asarray(images, np.float32).reshape(len(images), *self._shape)
        with self.classifier.lock:
            return self._read(batch).numpy()

    def smallest_epsilon(self, image: np.ndarray, target: int | None = None,
                         steps: int = PGD_STEPS) -> Attack | None:
        """Find (to within MAX_EPSILON / SEARCH_POINTS²) the smallest epsilon whose attack
        flips the reading, in two batched rounds; None when even MAX_EPSILON does not."""
        before = self.probabilities(image[None])[0]
        leave = int(before.argmax()) if target is None else target
        if target is not None and leave == int(before.argmax()):
            return Attack(image, image, before, before, 0.0, target)
        low, high = 0.0, MAX_EPSILON
        found = None
        for _ in range(2):
            epsilons = np.linspace(low, high, SEARCH_POINTS + 1)[1:].astype(np.float32)
            images = np.repeat(np.asarray(image, np.float32)[None], SEARCH_POINTS, axis=0)
            adversarial, after = self.run(images, np.full(SEARCH_POINTS, leave), epsilons,
                                          target is not None, steps)
            flips = (after.argmax(axis=1) == target if target is not None
                     else after.argmax(axis=1) != leave)
            if not flips.any():
                break
            first = int(np.argmax(flips))
            found = Attack(images[0], adversarial[first], before, after[first],
                           float(epsilons[first]), target)
            low, high = (float(epsilons[first - 1]) if first else low), float(epsilons[first])
        return found


@dataclass(frozen=True)
class Robustness:
    """How an attack fares over many digits."""

    clean_accuracy: float
    adversarial_accuracy: float
    attack_success: float  # of the digits read right, the share the attack makes read wrong
    epsilon: float
    samples: int
    steps: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def robustness(attacker: Attacker, images: np.ndarray, labels: np.ndarray, epsilon: float,
               steps: int = PGD_STEPS, batch_size: int = 250) -> Robustness:
    """Attack every image (n, 28, 28) away from its true label (untargeted, L-infinity)."""
    clean, attacked = [], []
    for start in range(0, len(images), batch_size):
        chunk, truth = images[start : start + batch_size], labels[start : start + batch_size]
        clean.append(attacker.probabilities(chunk).argmax(axis=1) == truth)
        _, after = attacker.run(chunk, truth, np.full(len(chunk), epsilon), False, steps)
        attacked.append(after.argmax(axis=1) == truth)
    clean_right, still_right = np.concatenate(clean), np.concatenate(attacked)
    flipped = clean_right & ~still_right
    return Robustness(float(clean_right.mean()), float(still_right.mean()),
                      float(flipped.sum() / max(1, clean_right.sum())), float(epsilon),
                      len(images), steps)


def reach(steps: int) -> float:
    """How far all the steps together may go, in epsilons: FGSM's one step goes exactly
    epsilon; PGD's steps add up to 2.5 epsilon, so it can reach the corners of the ball
    and move along them (Madry et al., 2018)."""
    return 1.0 if steps == 1 else 2.5


_ATTACKERS: weakref.WeakKeyDictionary[Classifier, Attacker] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def attacker(classifier: Classifier) -> Attacker:
    """Return the classifier's attacker, traced once and kept while the classifier lives."""
    with _LOCK:
        found = _ATTACKERS.get(classifier)
        if found is None:
            found = _ATTACKERS[classifier] = Attacker(classifier)
        return found
