"""Inside a CNN: every convolution and pooling stage's feature maps from one forward pass,
and the arithmetic of one convolution or pooling window, checked against Keras.

A "stage" is a Conv2D together with the batch norm and ReLU that follow it (what a
student calls "the conv layer"), or a MaxPooling2D. One Keras model per classifier
returns every stage's output, the logits and the probabilities in a single traced call.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from core.inference.predict import Classifier
from core.models.taps import Taps, last_dense
from core.scratch import numpy_ops

CONV_FOLLOWERS = ("BatchNormalization", "ReLU", "Activation")
KERNEL_PRESETS: dict[str, tuple[tuple[float, ...], ...]] = {
    "Edges (outline)": ((-1, -1, -1), (-1, 8, -1), (-1, -1, -1)),
    "Sobel x (vertical edges)": ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1)),
    "Sobel y (horizontal edges)": ((-1, -2, -1), (0, 0, 0), (1, 2, 1)),
    "Sharpen": ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
    "Blur (Gaussian)": ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16),
                        (1 / 16, 2 / 16, 1 / 16)),
    "Emboss": ((-2, -1, 0), (-1, 1, 1), (0, 1, 2)),
    "Identity": ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
}


@dataclass(frozen=True)
class Stage:
    """A convolution (with its batch norm and ReLU) or a pooling step of a CNN."""

    kind: str  # "conv" or "pool"
    layers: tuple[str, ...]  # the Keras layer names, in order; the last one is tapped

    @property
    def name(self) -> str:
        return self.layers[0]

    @property
    def title(self) -> str:
        return " → ".join(self.layers)


@dataclass(frozen=True)
class LayerMaps:
    """One stage's feature maps for one image."""

    stage: Stage
    maps: np.ndarray  # (H, W, C)

    @property
    def mean(self) -> float:
        return float(self.maps.mean())

    @property
    def zero_fraction(self) -> float:
        """How much of the output ReLU (or a pool over ReLU) set to exactly zero."""
        return float((self.maps <= 0).mean())

    @property
    def shape_text(self) -> str:
        return " × ".join(str(size) for size in self.maps.shape)


@dataclass(frozen=True)
class Inspection:
    """Everything one forward pass says about one image."""

    image: np.ndarray  # (28, 28) input
    layers: tuple[LayerMaps, ...]
    logits: np.ndarray  # (classes,) scores before the softmax
    probabilities: np.ndarray  # (classes,)

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))


def stages(model: keras.Model) -> list[Stage]:
    """Group a CNN's layers into convolution and pooling stages, up to its first Flatten."""
    found: list[list[str]] = []
    kinds: list[str] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            found.append([layer.name])
            kinds.append("conv")
        elif kind == "MaxPooling2D":
            found.append([layer.name])
            kinds.append("pool")
        elif kind in CONV_FOLLOWERS and kinds and kinds[-1] == "conv":
            found[-1].append(layer.name)
        elif kind in ("Flatten", "Dense", "GlobalAveragePooling2D"):
            break
    return [Stage(kind, tuple(names)) for kind, names in zip(kinds, found, strict=True)]


class Inspector:
    """A classifier's stages, logits and probabilities from one traced call."""

    def __init__(self, classifier: Classifier) -> None:
        model = classifier.model
        self.classifier = classifier
        self.stages = stages(model)
        if not self.stages:
            raise ValueError(f"{classifier.card.name} has no convolution layers to show")
        deciding = last_dense(model)
        taps = Taps(model)
        tapped = taps.model([*(taps.output(stage.layers[-1]) for stage in self.stages),
                             taps.input(deciding.name), taps.outputs])
        kernel, bias = deciding.kernel, deciding.bias
        outputs_probabilities = deciding.activation is keras.activations.softmax or (
            model.layers[-1] is not deciding)  # a final softmax Activation layer

        def run(images: tf.Tensor):
            *maps, features, outputs = tapped(images, training=False)
            logits = tf.matmul(features, kernel) + (bias if bias is not None else 0.0)
            probabilities = outputs if outputs_probabilities else tf.nn.softmax(outputs)
            return maps, logits, probabilities

        shape = tuple(model.inputs[0].shape[1:])
        self._run = tf.function(run, input_signature=[tf.TensorSpec((1, *shape), tf.float32)])
        self._shape = shape

    def inspect(self, image: np.ndarray) -> Inspection:
        """Run one image (28, 28) in [0, 1] through the network, keeping every stage's maps."""
        batch = np.asarray(image, np.float32).reshape(1, *self._shape)
        with self.classifier.lock:
            maps, logits, probabilities = self._run(batch)
        layers = tuple(LayerMaps(stage, m.numpy()[0]) for stage, m in zip(self.stages, maps,
                                                                            strict=True))
        return Inspection(batch[0, :, :, 0], layers, logits.numpy()[0], probabilities.numpy()[0])


_INSPECTORS: weakref.WeakKeyDictionary[Classifier, Inspector] = weakref.WeakKeyDictionary()
_INSPECTORS_LOCK = threading.Lock()


def inspector(classifier: Classifier) -> Inspector:
    """Return the classifier's inspector, built (and traced) once and kept while it lives."""
    with _INSPECTORS_LOCK:
        found = _INSPECTORS.get(classifier)
        if found is None:
            found = _INSPECTORS[classifier] = Inspector(classifier)
        return found


@dataclass(frozen=True)
class FirstConv:
    """The first convolution stage's parameters, everything needed to redo it by hand."""

    kernels: np.ndarray  # (kh, kw, 1, F)
    bias: np.ndarray | None  # (F,)
    stride: int
    padding: str
    activation: str  # the Conv2D's own activation: "relu" or "linear"
    batch_norm: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float] | None
    relu_after: bool  # a ReLU layer after the batch norm


def first_conv(model: keras.Model, stage: Stage) -> FirstConv:
    """Read the weights of a convolution stage (Conv2D [+ BatchNormalization] [+ ReLU])."""
    conv = model.get_layer(stage.layers[0])
    kernels, *rest = (np.asarray(w) for w in conv.get_weights())
    batch_norm, relu_after = None, False
    for name in stage.layers[1:]:
        layer = model.get_layer(name)
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = (np.asarray(w) for w in layer.get_weights())
            batch_norm = (gamma, beta, mean, variance, float(layer.epsilon))
        else:
            relu_after = True
    return FirstConv(kernels, rest[0] if rest else None, conv.strides[0], conv.padding,
                     getattr(conv.activation, "__name__", "linear"), batch_norm, relu_after)


@dataclass(frozen=True)
class ConvStep:
    """One output value of a convolution, worked out in full."""

    patch: np.ndarray  # (kh, kw) of the (padded) input
    kernel: np.ndarray  # (kh, kw)
    products: np.ndarray  # patch * kernel
    total: float  # sum of the products
    bias: float
    steps: tuple[tuple[str, float], ...]  # ("sum + bias", z), ("batch norm", ...), ("ReLU", ...)

    @property
    def value(self) -> float:
        return self.steps[-1][1]


def conv_step(image: np.ndarray, conv: FirstConv, i: int, j: int, f: int) -> ConvStep:
    """Work out output (i, j) of filter f of a first convolution on a (H, W) image."""
    size = conv.kernels.shape[0]
    (top, _), (left, _) = (numpy_ops.pad_amounts(image.shape[0], size, conv.stride, conv.padding),
                           numpy_ops.pad_amounts(image.shape[1], size, conv.stride, conv.padding))
    padded = np.pad(np.asarray(image, np.float32), ((top, size), (left, size)))
    row, col = i * conv.stride, j * conv.stride
    patch = padded[row : row + size, col : col + size]
    kernel = conv.kernels[:, :, 0, f]
    products = patch * kernel
    total = float(products.sum())
    bias = float(conv.bias[f]) if conv.bias is not None else 0.0
    z = total + bias
    steps = [("sum + bias", z)]
    if conv.activation == "relu":
        steps.append(("ReLU", max(z, 0.0)))
    if conv.batch_norm is not None:
        gamma, beta, mean, variance, epsilon = conv.batch_norm
        z = float(gamma[f] * (z - mean[f]) / np.sqrt(variance[f] + epsilon) + beta[f])
        steps.append(("batch norm", z))
    if conv.relu_after:
        steps.append(("ReLU", max(steps[-1][1], 0.0)))
    return ConvStep(patch, kernel, products, total, bias, tuple(steps))


@dataclass(frozen=True)
class PoolStep:
    """One output value of a max pooling layer, worked out in full."""

    window: np.ndarray  # (pool, pool) of the input feature map

    @property
    def value(self) -> float:
        return float(self.window.max())

    @property
    def winner(self) -> tuple[int, int]:
        """Row and column, inside the window, of the value that passes through."""
        index = np.unravel_index(int(self.window.argmax()), self.window.shape)
        return int(index[0]), int(index[1])


def pool_step(feature_map: np.ndarray, i: int, j: int, pool: int = 2,
              stride: int | None = None) -> PoolStep:
    """Work out output (i, j) of a max pooling over one (H, W) feature map."""
    row, col = i * (stride or pool), j * (stride or pool)
    return PoolStep(feature_map[row : row + pool, col : col + pool])


def apply_kernel(image: np.ndarray, kernel: np.ndarray, stride: int,
                 padding: str) -> np.ndarray:
    """Convolve a (H, W) image with one (k, k) kernel: the (H', W') result."""
    return numpy_ops.conv2d(image, kernel, stride=stride, padding=padding)[:, :, 0]


def output_formula(size: int, kernel: int, stride: int, padding: str) -> str:
    """Spell out the output size: ⌊(n + p − k) / s⌋ + 1 = result, with this layer's numbers."""
    before, after = numpy_ops.pad_amounts(size, kernel, stride, padding)
    result = numpy_ops.output_size(size, kernel, stride, padding)
    return (f"⌊({size} + {before + after} − {kernel}) / {stride}⌋ + 1 = {result}")
