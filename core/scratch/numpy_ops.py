"""A CNN's building blocks in plain NumPy, to show there is no magic in the Keras layers.

Every op works on a batch (n, H, W, C) float32 and matches the Keras layer of the same
name to float32 precision (tests/unit/test_numpy_ops.py). Vectorised: windows come from
`sliding_window_view`, so no Python loop runs over pixels.
"""

from __future__ import annotations

import math

import numpy as np

NORMALIZE_EPSILON = 1e-3
FORWARD_CHUNK = 500  # images per step of a batched forward pass (bounds the window memory)


def _as_batch(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """Return x as (n, H, W, C) and whether it was a single (H, W[, C]) image."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        return x[None, :, :, None], True
    if x.ndim == 3:
        return x[None], True
    if x.ndim == 4:
        return x, False
    raise ValueError(f"expected an image (H, W[, C]) or a batch (n, H, W, C), got {x.shape}")


def pad_amounts(size: int, window: int, stride: int, padding: str) -> tuple[int, int]:
    """Return (before, after) padding along one axis, the way TensorFlow computes it."""
    if padding == "valid":
        return 0, 0
    if padding != "same":
        raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def output_size(size: int, window: int, stride: int, padding: str) -> int:
    """Return the output length along one axis: floor((n + p - k) / s) + 1."""
    before, after = pad_amounts(size, window, stride, padding)
    return (size + before + after - window) // stride + 1


def _windows(x: np.ndarray, window: tuple[int, int], stride: int, padding: str,
             fill: float) -> np.ndarray:
    """Return every window of a batch: (n, H', W', C, kh, kw), a view where possible."""
    (top, bottom), (left, right) = (pad_amounts(x.shape[1], window[0], stride, padding),
                                    pad_amounts(x.shape[2], window[1], stride, padding))
    if top or bottom or left or right:
        x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    views = np.lib.stride_tricks.sliding_window_view(x, window, axis=(1, 2))
    return views[:, ::stride, ::stride]


def conv2d(x: np.ndarray, kernels: np.ndarray, bias: np.ndarray | None = None,
           stride: int = 1, padding: str = "valid") -> np.ndarray:
    """Convolve (as deep learning does: cross-correlate) with many filters.

    x: (H, W[, C]) or (n, H, W, C); kernels: (kh, kw) for one 2-D filter or
    (kh, kw, C, F) in Keras' layout; bias: (F,). Returns (n, H', W', F), or
    (H', W', F) for a single image.
    """
    batch, single = _as_batch(x)
    kernels = np.asarray(kernels, dtype=np.float32)
    if kernels.ndim == 2:
        kernels = kernels[:, :, None, None]
    if kernels.shape[2] != batch.shape[3]:
        raise ValueError(f"the kernels expect {kernels.shape[2]} input channels, the image "
                         f"has {batch.shape[3]}")
    windows = _windows(batch, kernels.shape[:2], stride, padding, fill=0.0)
    out = np.einsum("nhwcij,ijcf->nhwf", windows, kernels, optimize=True)
    if bias is not None:
        out = out + np.asarray(bias, dtype=np.float32)
    return out[0] if single else out


def relu(x: np.ndarray) -> np.ndarray:
    """Keep positive values, zero the rest."""
    return np.maximum(x, 0.0)


def max_pool(x: np.ndarray, pool: int = 2, stride: int | None = None,
             padding: str = "valid") -> np.ndarray:
    """Take the maximum of each pool x pool window (stride defaults to the pool size)."""
    batch, single = _as_batch(x)
    windows = _windows(batch, (pool, pool), stride or pool, padding, fill=-np.inf)
    out = windows.max(axis=(4, 5))
    return out[0] if single else out


def normalize(x: np.ndarray, epsilon: float = NORMALIZE_EPSILON) -> np.ndarray:
    """Shift and scale each feature map to zero mean and unit standard deviation."""
    batch, single = _as_batch(x)
    mean = batch.mean(axis=(1, 2), keepdims=True)
    variance = batch.var(axis=(1, 2), keepdims=True)
    out = (batch - mean) / np.sqrt(variance + epsilon)
    return out[0] if single else out


def dense(x: np.ndarray, weights: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """A fully connected layer: flatten each sample, then x @ W + b; weights (inputs, units)."""
    weights = np.asarray(weights, dtype=np.float32)
    flat = np.asarray(x, dtype=np.float32).reshape(-1, weights.shape[0])
    out = flat @ weights
    return out + bias if bias is not None else out


def softmax(z: np.ndarray) -> np.ndarray:
    """Turn scores into probabilities along the last axis (stable: subtract the maximum)."""
    shifted = z - z.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


ACTIVATIONS = {"linear": lambda x: x, "relu": relu, "softmax": softmax}


def _activation_name(layer) -> str:
    return getattr(getattr(layer, "activation", None), "__name__", "linear")


def forward(model, images: np.ndarray, logits: bool = False) -> np.ndarray:
    """Run a trained Keras CNN (Conv2D, MaxPooling2D, Flatten, Dense, Dropout, Activation,
    BatchNormalization, ReLU) on images (n, H, W, C) with the ops above; return its outputs,
    or with `logits` the scores before its final softmax.
    """
    batch, _ = _as_batch(images)
    last = model.layers[-1]
    skip = last.name if logits and _activation_name(last) == "softmax" else None
    parts = []
    for start in range(0, len(batch), FORWARD_CHUNK):
        x = batch[start : start + FORWARD_CHUNK]
        for layer in model.layers:
            x = apply_layer(layer, x, linear=layer.name == skip)
        parts.append(x)
    return np.concatenate(parts)


def apply_layer(layer, x: np.ndarray, linear: bool = False) -> np.ndarray:
    """Do what one trained Keras layer does at inference, with the ops above.

    `linear` leaves out the layer's activation (to read the logits under a softmax).
    """
    kind = type(layer).__name__
    weights = [np.asarray(w) for w in layer.get_weights()]

    def activate(values: np.ndarray) -> np.ndarray:
        name = "linear" if linear else _activation_name(layer)
        if name not in ACTIVATIONS:
            raise ValueError(f"layer {layer.name}: activation {name!r} has no NumPy version here")
        return ACTIVATIONS[name](values)

    if kind == "Conv2D":
        bias = weights[1] if layer.use_bias else None
        return activate(conv2d(x, weights[0], bias, layer.strides[0], layer.padding))
    if kind == "MaxPooling2D":
        return max_pool(x, layer.pool_size[0], layer.strides[0], layer.padding)
    if kind == "Flatten":
        return x.reshape(len(x), -1)
    if kind == "Dense":
        return activate(dense(x, weights[0], weights[1] if layer.use_bias else None))
    if kind == "BatchNormalization":
        if len(weights) != 4:
            raise ValueError(f"layer {layer.name}: only batch norm with scale and centre")
        gamma, beta, mean, variance = weights
        return gamma * (x - mean) / np.sqrt(variance + layer.epsilon) + beta
    if kind == "Activation":
        return activate(x)
    if kind == "ReLU":
        return relu(x)
    if kind in ("Dropout", "InputLayer"):
        return x  # dropout does nothing at inference
    raise ValueError(f"layer {layer.name} ({kind}) has no NumPy version here")
