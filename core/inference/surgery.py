"""Operate on a network: switch off filters or units, scale a layer's weights, prune the
smallest weights, and see at once what the network then reads and how accurate it still is.

All of it happens on a copy (an "operating table" per classifier): the stored model and
the warm classifier every page shares are never touched. An operation is applied by
writing the copy's weights from the originals, so operations never accumulate and
undoing one is applying the next.

Switching off unit u of a layer zeroes its kernel column and bias, and, where a batch norm
follows, that norm's scale and shift for u, so what leaves the stage is exactly 0. That is
also the shortcut that keeps it quick: the test digits' activations after the stage (its
norm, ReLU and pooling) are kept from the original network, the switched-off channels are
zeroed there, and only the layers after run again.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from core import store
from core.data import datasets
from core.inference import inspect
from core.inference.predict import Classifier

TEST_SAMPLES = 2000
SHORTCUT_BYTES = 128 * 2**20  # the most one layer's kept activations may take
# Layers that act on each channel alone and keep 0 at 0, so zeroing a channel commutes with them.
CHANNEL_WISE = (keras.layers.ReLU, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D,
                keras.layers.Dropout)
CURVE_SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{2,39}")


@dataclass(frozen=True)
class Operation:
    """What is done to the network; the empty Operation changes nothing."""

    switched_off: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (layer, units) pairs
    scales: tuple[tuple[str, float], ...] = ()  # (layer, factor) pairs
    prune_share: float = 0.0  # of the smallest kernel weights of every conv and dense layer

    def describe(self) -> str:
        parts = [f"{len(units)} of {layer} off" for layer, units in self.switched_off if units]
        parts += [f"{layer} × {factor:g}" for layer, factor in self.scales if factor != 1.0]
        if self.prune_share:
            parts.append(f"{self.prune_share:.0%} of weights pruned")
        return ", ".join(parts) or "unchanged"


@dataclass(frozen=True)
class Outcome:
    """What the operated network makes of a drawing and of the test digits."""

    probabilities: np.ndarray | None  # (classes,) for the drawing, None without one
    accuracy: float  # on TEST_SAMPLES test digits
    original_accuracy: float
    zeroed: int = 0  # weights set to zero by pruning
    total: int = 0  # kernel weights that pruning considers


def operable_layers(model: keras.Model) -> list[str]:
    """The layers whose units can be switched off: each convolution and every hidden Dense."""
    convs = [stage.name for stage in inspect.stages(model) if stage.kind == "conv"]
    dense = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dense)][:-1]
    return convs + dense


def units(model: keras.Model, layer: str) -> int:
    return int(model.get_layer(layer).kernel.shape[-1])


class OperatingTable:
    """A working copy of one classifier, with its test digits ready."""

    def __init__(self, classifier: Classifier) -> None:
        self.classifier, model = classifier, classifier.model
        self.copy = keras.models.clone_model(model)
        self.copy.set_weights(model.get_weights())
        self.original = {v.path: np.array(v) for v in self.copy.weights}
        self.variables = {v.path: v for v in self.copy.weights}
        loaded = datasets.load(classifier.card.dataset)
        self.images = loaded.images("test")[:TEST_SAMPLES]
        self.labels = loaded.labels("test")[:TEST_SAMPLES]
        logits = classifier.outputs_logits
        shape = classifier.input_shape

        def probabilities(images: tf.Tensor) -> tf.Tensor:
            outputs = self.copy(images, training=False)
            return tf.nn.softmax(outputs) if logits else outputs

        self._read = tf.function(probabilities,
                                 input_signature=[tf.TensorSpec((None, *shape), tf.float32)])
        self.lock = threading.Lock()
        self.original_probabilities = self._read(self.images).numpy()
        self.original_accuracy = self._accuracy_of(self.original_probabilities)
        self._strength: dict[str, np.ndarray] = {}
        self._shortcut: tuple[str, Shortcut | None] | None = None  # the last layer's

    def _variable(self, layer: str, kind: str) -> str | None:
        """The path of a layer's weight ("kernel", "bias", "gamma", ...), None if it has none."""
        return next((path for path in self.original
                     if path == f"{layer}/{kind}" or path.endswith(f"/{layer}/{kind}")), None)

    def _follower_norm(self, layer: str) -> str | None:
        """The batch norm right after `layer`, if any."""
        names = [item.name for item in self.copy.layers]
        following = self.copy.layers[names.index(layer) + 1:names.index(layer) + 2]
        if following and isinstance(following[0], keras.layers.BatchNormalization):
            return following[0].name
        return None

    def weights_for(self, operation: Operation) -> tuple[dict[str, np.ndarray], int, int]:
        """Return the copy's new weights for an operation, the weights pruning zeroed and
        the weights it considered."""
        weights = {path: value.copy() for path, value in self.original.items()}
        kernels = [p for p in weights if p.endswith("/kernel")]
        for layer, factor in operation.scales:
            weights[self._variable(layer, "kernel")] *= factor
        zeroed = 0
        total = sum(weights[p].size for p in kernels)
        if operation.prune_share > 0:
            magnitudes = np.concatenate([np.abs(weights[p]).ravel() for p in kernels])
            threshold = np.quantile(magnitudes, operation.prune_share)
            for p in kernels:
                small = np.abs(weights[p]) <= threshold
                zeroed += int(small.sum())
                weights[p][small] = 0.0
        for layer, off in operation.switched_off:
            off = list(off)
            if not off:
                continue
            weights[self._variable(layer, "kernel")][..., off] = 0.0
            bias = self._variable(layer, "bias")
            if bias is not None:
                weights[bias][off] = 0.0
            norm = self._follower_norm(layer)
            if norm is not None:
                for kind in ("gamma", "beta"):
                    weights[self._variable(norm, kind)][off] = 0.0
        return weights, zeroed, total

    def apply(self, operation: Operation) -> Outcome:
        """Operate, then read the test digits; the copy keeps the operation until the next."""
        return self.outcome(operation, None)

    def outcome(self, operation: Operation, image: np.ndarray | None) -> Outcome:
        """Operate, then read the drawing (28, 28) and the test digits."""
        weights, zeroed, total = self.weights_for(operation)
        with self.lock:
            shortcut = self._shortcut_for(operation)
            for path, value in weights.items():
                self.variables[path].assign(value)
            if shortcut is None:
                accuracy = self._accuracy_of(self._read(self.images).numpy())
            else:
                off = next(units for _, units in operation.switched_off if units)
                accuracy = self._accuracy_of(shortcut.read(off))
            drawing = (self._read(np.asarray(image, np.float32).reshape(
                1, *self.classifier.input_shape)).numpy()[0] if image is not None else None)
        return Outcome(drawing, accuracy, self.original_accuracy, zeroed, total)

    def _accuracy_of(self, probabilities: np.ndarray) -> float:
        return float((probabilities.argmax(axis=1) == self.labels).mean())

    def _shortcut_for(self, operation: Operation) -> Shortcut | None:
        """The shortcut for an operation that only switches units off, in one layer; None
        where the whole network must run. Call with the lock held."""
        layers = [layer for layer, units in operation.switched_off if units]
        if operation.scales or operation.prune_share or len(layers) != 1:
            return None
        if self._shortcut is None or self._shortcut[0] != layers[0]:
            for path, value in self.original.items():
                self.variables[path].assign(value)
            self._shortcut = layers[0], self._build_shortcut(layers[0])
        return self._shortcut[1]

    def _build_shortcut(self, layer: str) -> Shortcut | None:
        """Keep the test digits' activations where `layer`'s stage ends, if they are small
        enough and the layers after rebuild the network's answers from them exactly."""
        names = [item.name for item in self.copy.layers]
        start = names.index(layer)
        if getattr(self.copy.layers[start], "activation", None) not in (
                keras.activations.relu, keras.activations.linear):
            return None  # a switched-off sigmoid unit puts out 0.5, not 0
        end = start
        while end + 1 < len(names) and (
                isinstance(self.copy.layers[end + 1], CHANNEL_WISE)
                or names[end + 1] == self._follower_norm(layer)):
            end += 1
        tap = self.copy.get_layer(names[end]).output
        if self.images.shape[0] * np.prod(tap.shape[1:]) * 4 > SHORTCUT_BYTES:
            return None
        kept = self._original_activations(names[end])
        shortcut = Shortcut(kept, self.copy.layers[end + 1:], self.classifier.outputs_logits)
        check = slice(0, 100)
        if not np.allclose(shortcut.read(())[check], self.original_probabilities[check],
                           atol=1e-4):
            return None  # not a plain chain of layers: run the whole network
        return shortcut

    def strongest(self, layer: str) -> np.ndarray:
        """The layer's units, strongest first: by their mean output (after the stage's batch
        norm and ReLU) on the test digits, with the original weights."""
        if layer not in self._strength:
            stage = next((s for s in inspect.stages(self.classifier.model) if s.name == layer),
                         None)
            found = self._original_activations(stage.layers[-1] if stage
                                               else self._after_dense(layer))
            mean = found.reshape(-1, found.shape[-1]).mean(axis=0)
            self._strength[layer] = np.argsort(-mean)
        return self._strength[layer]

    def _original_activations(self, layer: str) -> np.ndarray:
        """The test digits' outputs of a layer of the original network."""
        model = self.classifier.model
        reader = keras.Model(model.inputs[0], model.get_layer(layer).output)
        with self.classifier.lock:
            return np.asarray(reader(self.images, training=False))

    def _after_dense(self, layer: str) -> str:
        """A Dense layer's output after the batch norm and ReLU that follow it, if any."""
        names = [item.name for item in self.copy.layers]
        index = names.index(layer)
        while index + 1 < len(names) and isinstance(
                self.copy.layers[index + 1], (keras.layers.BatchNormalization,
                                              keras.layers.ReLU, keras.layers.Activation)):
            index += 1
        return names[index]

    def pruning_curve(self, shares=CURVE_SHARES, progress=None) -> list[tuple[float, float]]:
        """Accuracy on the test digits against the share of weights pruned."""
        points = []
        for k, share in enumerate(shares):
            points.append((share, self.apply(Operation(prune_share=share)).accuracy))
            if progress is not None:
                progress((k + 1) / len(shares))
        return points

    def save_copy(self, operation: Operation, name: str) -> store.Card:
        """Save the operated network to the store as a new classifier, measured on the whole
        test set; the original stays as it is."""
        check_name(name)
        weights, _, _ = self.weights_for(operation)
        card = self.classifier.card
        edited = keras.models.clone_model(self.classifier.model)
        edited.set_weights([weights[variable.path] for variable in self.copy.weights])
        loaded = datasets.load(card.dataset)
        edited.compile(loss=keras.losses.SparseCategoricalCrossentropy(
            from_logits=self.classifier.outputs_logits), metrics=["accuracy"])
        loss, accuracy = edited.evaluate(loaded.images("test"), loaded.labels("test"),
                                         batch_size=1000, verbose=0)
        new = store.new_card(
            name, card.dataset, f"{card.title}, operated on", card.config,
            test_accuracy=accuracy, test_loss=loss, train_seconds=card.train_seconds,
            epochs=card.epochs,
            metrics={"outputs_logits": self.classifier.outputs_logits,
                     "operated_on": card.name, "operation": operation.describe()})
        return store.save(edited, new)


class Shortcut:
    """The test digits' activations after one stage, and the layers that follow it."""

    def __init__(self, kept: np.ndarray, after: list[keras.Layer], logits: bool) -> None:
        self.kept, self.channels = tf.constant(kept), kept.shape[-1]

        def run(mask: tf.Tensor) -> tf.Tensor:
            outputs = self.kept * mask
            for layer in after:
                outputs = layer(outputs, training=False)
            return tf.nn.softmax(outputs) if logits else outputs

        self._run = tf.function(run, input_signature=[tf.TensorSpec((self.channels,))])

    def read(self, off) -> np.ndarray:
        """The probabilities with the units `off` of the stage switched off."""
        mask = np.ones(self.channels, np.float32)
        mask[list(off)] = 0.0
        return self._run(mask).numpy()


def check_name(name: str) -> None:
    """Refuse a name the store cannot hold or that belongs to a zoo model."""
    from core.models import zoo

    if not NAME_PATTERN.fullmatch(name):
        raise ValueError("A name is 3 to 40 lowercase letters, digits or underscores, "
                         "starting with a letter.")
    if name in zoo.SPECS:
        raise ValueError(f"{name} is a zoo model's name; choose another.")


_TABLES: weakref.WeakKeyDictionary[Classifier, OperatingTable] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def table(classifier: Classifier) -> OperatingTable:
    """Return the classifier's operating table, built once and kept while it lives."""
    with _LOCK:
        found = _TABLES.get(classifier)
        if found is None:
            found = _TABLES[classifier] = OperatingTable(classifier)
        return found
