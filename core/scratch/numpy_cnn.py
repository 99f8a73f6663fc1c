"""A CNN trained from scratch in plain NumPy, backpropagation written out by hand.

The lab assignment's bonus questions: two convolution layers with thresholding (ReLU) and
normalisation, a fully connected layer and a softmax output, trained on MNIST. The
layer order is conv -> normalise -> ReLU -> 2x2 max pool, twice, then dense -> ReLU ->
dense -> softmax. Normalising each feature map removes any constant, so the convolutions
carry no bias (its gradient would always be zero).

Convolutions are matrix products over im2col patches (BLAS does the work); the
backward pass scatters patch gradients back with one loop over the 3x3 kernel offsets,
never over pixels. The same code runs in float64 for the gradient check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.scratch import numpy_ops

KERNEL = 3
NUM_CLASSES = 10


@dataclass(frozen=True)
class NumpyCNNConfig:
    """The network's sizes and how it is trained (Adam, written out below)."""

    filters: tuple[int, int] = (8, 16)
    hidden: int = 64
    batch_size: int = 64
    learning_rate: float = 2e-3
    cycles: int = 100
    batches_per_cycle: int = 30
    eval_samples: int = 2000  # test images scored after every cycle; the full set at the end
    seed: int = 0


def _im2col(x: np.ndarray) -> np.ndarray:
    """Every 3x3 patch of x (n, H, W, C) as a row (kh, kw, C order): (n, H-2, W-2, 9C)."""
    windows = np.lib.stride_tricks.sliding_window_view(x, (KERNEL, KERNEL), axis=(1, 2))
    n, h, w, c = windows.shape[:4]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n, h, w, KERNEL * KERNEL * c)


def _col2im(patches: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of _im2col: add each patch's gradient back onto the pixels it came from."""
    n, h, w, _ = patches.shape
    grid = patches.reshape(n, h, w, KERNEL, KERNEL, shape[3])
    out = np.zeros(shape, patches.dtype)
    for a in range(KERNEL):
        for b in range(KERNEL):
            out[:, a : a + h, b : b + w] += grid[:, :, :, a, b]
    return out


def _pool_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max pool (odd edges dropped, as Keras does); also return where each max was."""
    n, h, w, c = x.shape
    blocks = x[:, : h // 2 * 2, : w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c)
    blocks = blocks.transpose(0, 1, 3, 5, 2, 4).reshape(n, h // 2, w // 2, c, 4)
    winner = blocks.argmax(axis=-1)
    return np.take_along_axis(blocks, winner[..., None], axis=-1)[..., 0], winner


def _pool_backward(grad: np.ndarray, winner: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Send each pooled gradient to the one input that won its window."""
    n, h, w, c = grad.shape
    blocks = np.zeros((n, h, w, c, 4), grad.dtype)
    np.put_along_axis(blocks, winner[..., None], grad[..., None], axis=-1)
    blocks = blocks.reshape(n, h, w, c, 2, 2).transpose(0, 1, 4, 2, 5, 3)
    out = np.zeros(shape, grad.dtype)
    out[:, : h * 2, : w * 2] = blocks.reshape(n, h * 2, w * 2, c)
    return out


def _normalize_backward(grad: np.ndarray, normalized: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Gradient through y = (x - mean) / std, mean and std taken over each feature map."""
    mean_grad = grad.mean(axis=(1, 2), keepdims=True)
    mean_grad_y = (grad * normalized).mean(axis=(1, 2), keepdims=True)
    return (grad - mean_grad - normalized * mean_grad_y) / std


class NumpyCNN:
    """conv(3x3, F1) -> norm -> ReLU -> pool -> conv(3x3, F2) -> norm -> ReLU -> pool ->
    dense(hidden) -> ReLU -> dense(10) -> softmax, for 28x28x1 images."""

    def __init__(self, config: NumpyCNNConfig = NumpyCNNConfig(), dtype=np.float32,
                 params: dict[str, np.ndarray] | None = None) -> None:
        self.config, self.dtype = config, dtype
        f1, f2 = config.filters
        flat = 5 * 5 * f2  # 28 -conv-> 26 -pool-> 13 -conv-> 11 -pool-> 5
        if params is None:
            rng = np.random.default_rng(config.seed)

            def he(*shape: int, fan_in: int) -> np.ndarray:
                return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)

            params = {"conv1": he(KERNEL, KERNEL, 1, f1, fan_in=9),
                      "conv2": he(KERNEL, KERNEL, f1, f2, fan_in=9 * f1),
                      "dense1": he(flat, config.hidden, fan_in=flat),
                      "bias1": np.zeros(config.hidden),
                      "dense2": he(config.hidden, NUM_CLASSES, fan_in=config.hidden),
                      "bias2": np.zeros(NUM_CLASSES)}
        self.params = {name: np.asarray(value, dtype) for name, value in params.items()}

    def _conv_block(self, x: np.ndarray, kernel: str) -> tuple[np.ndarray, dict]:
        patches = _im2col(x)
        weights = self.params[kernel]
        conv = patches @ weights.reshape(-1, weights.shape[-1])
        mean = conv.mean(axis=(1, 2), keepdims=True)
        std = np.sqrt(conv.var(axis=(1, 2), keepdims=True) + numpy_ops.NORMALIZE_EPSILON)
        normalized = (conv - mean) / std
        activated = np.maximum(normalized, 0)
        pooled, winner = _pool_forward(activated)
        return pooled, dict(input_shape=x.shape, patches=patches, normalized=normalized,
                            std=std, winner=winner, activated_shape=activated.shape)

    def _forward(self, images: np.ndarray) -> tuple[np.ndarray, dict]:
        x = np.asarray(images, self.dtype).reshape(-1, 28, 28, 1)
        pooled1, block1 = self._conv_block(x, "conv1")
        pooled2, block2 = self._conv_block(pooled1, "conv2")
        flat = pooled2.reshape(len(x), -1)
        hidden = np.maximum(flat @ self.params["dense1"] + self.params["bias1"], 0)
        logits = hidden @ self.params["dense2"] + self.params["bias2"]
        return logits, dict(block1=block1, block2=block2, pooled2_shape=pooled2.shape,
                            flat=flat, hidden=hidden)

    def logits(self, images: np.ndarray, chunk: int = 1000) -> np.ndarray:
        """Scores before the softmax for images (n, 28, 28[, 1]) in [0, 1]."""
        images = np.asarray(images).reshape(-1, 28, 28, 1)
        return np.concatenate([self._forward(images[i : i + chunk])[0]
                               for i in range(0, len(images), chunk)])

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        return numpy_ops.softmax(self.logits(images))

    def accuracy(self, images: np.ndarray, labels: np.ndarray) -> float:
        return float((self.logits(images).argmax(axis=1) == labels).mean())

    def loss_and_gradients(self, images: np.ndarray,
                           labels: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Mean cross-entropy on a batch and its gradient for every parameter, by hand."""
        logits, cache = self._forward(images)
        n = len(logits)
        probabilities = numpy_ops.softmax(logits)
        loss = -np.log(probabilities[np.arange(n), labels] + 1e-12).mean()
        grad_logits = probabilities
        grad_logits[np.arange(n), labels] -= 1
        grad_logits /= n
        grads = {"dense2": cache["hidden"].T @ grad_logits, "bias2": grad_logits.sum(axis=0)}
        grad_hidden = (grad_logits @ self.params["dense2"].T) * (cache["hidden"] > 0)
        grads["dense1"] = cache["flat"].T @ grad_hidden
        grads["bias1"] = grad_hidden.sum(axis=0)
        grad = (grad_hidden @ self.params["dense1"].T).reshape(cache["pooled2_shape"])
        grad, grads["conv2"] = self._conv_block_backward(grad, cache["block2"], "conv2")
        _, grads["conv1"] = self._conv_block_backward(grad, cache["block1"], "conv1")
        return float(loss), grads

    def _conv_block_backward(self, grad: np.ndarray, block: dict,
                             kernel: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (gradient for the block's input, gradient for its kernels)."""
        grad = _pool_backward(grad, block["winner"], block["activated_shape"])
        grad = grad * (block["normalized"] > 0)
        grad = _normalize_backward(grad, block["normalized"], block["std"])
        weights = self.params[kernel]
        patches, flat_grad = block["patches"], grad.reshape(-1, weights.shape[-1])
        grad_kernel = (patches.reshape(-1, patches.shape[-1]).T @ flat_grad).reshape(weights.shape)
        grad_patches = (flat_grad @ weights.reshape(-1, weights.shape[-1]).T)
        grad_input = _col2im(grad_patches.reshape(*grad.shape[:3], -1), block["input_shape"])
        return grad_input, grad_kernel

    def save(self, path: Path) -> None:
        """Write the weights as a plain .npz (no pickle), atomically."""
        temporary = path.with_suffix(".tmp.npz")
        np.savez(temporary, **self.params)
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path, config: NumpyCNNConfig) -> NumpyCNN:
        with np.load(path, allow_pickle=False) as saved:
            return cls(config, params={name: saved[name] for name in saved.files})


class Adam:
    """Adam (Kingma and Ba, 2015), written out: per-parameter step sizes from moment estimates."""

    def __init__(self, params: dict[str, np.ndarray], learning_rate: float,
                 beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8) -> None:
        self.learning_rate, self.beta1, self.beta2, self.epsilon = (learning_rate, beta1,
                                                                     beta2, epsilon)
        self.first = {name: np.zeros_like(value) for name, value in params.items()}
        self.second = {name: np.zeros_like(value) for name, value in params.items()}
        self.steps = 0

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        self.steps += 1
        correction1 = 1 - self.beta1 ** self.steps
        correction2 = 1 - self.beta2 ** self.steps
        for name, grad in grads.items():
            self.first[name] = self.beta1 * self.first[name] + (1 - self.beta1) * grad
            self.second[name] = self.beta2 * self.second[name] + (1 - self.beta2) * grad ** 2
            update = (self.first[name] / correction1) / (
                np.sqrt(self.second[name] / correction2) + self.epsilon)
            params[name] -= (self.learning_rate * update).astype(params[name].dtype)


def gradient_check(images: np.ndarray, labels: np.ndarray, checks_per_tensor: int = 12,
                   step: float = 1e-5, seed: int = 0) -> dict[str, float]:
    """Compare the hand-written gradients with central finite differences, in float64, on
    a few images (n, 28, 28) and their labels (n,).

    Returns each parameter tensor's relative error |analytic - numeric| / (|analytic| +
    |numeric|) over randomly chosen entries (norms of the vectors of checked entries).
    """
    rng = np.random.default_rng(seed)
    images = np.asarray(images, np.float64)
    network = NumpyCNN(NumpyCNNConfig(filters=(4, 6), hidden=16, seed=seed), dtype=np.float64)
    network.params = {name: value + rng.standard_normal(value.shape) * 0.01
                      for name, value in network.params.items()}  # non-zero biases too
    _, analytic = network.loss_and_gradients(images, labels)
    errors = {}
    for name, value in network.params.items():
        picks = rng.choice(value.size, size=min(checks_per_tensor, value.size), replace=False)
        numeric = []
        for index in picks:
            flat = value.reshape(-1)
            original = flat[index]
            flat[index] = original + step
            plus, _ = network.loss_and_gradients(images, labels)
            flat[index] = original - step
            minus, _ = network.loss_and_gradients(images, labels)
            flat[index] = original
            numeric.append((plus - minus) / (2 * step))
        ours = analytic[name].reshape(-1)[picks]
        numeric = np.asarray(numeric)
        errors[name] = float(np.linalg.norm(ours - numeric)
                             / max(np.linalg.norm(ours) + np.linalg.norm(numeric), 1e-12))
    return errors
