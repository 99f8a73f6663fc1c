"""The lectures' first hour: activation functions, gradient descent, and optimizers on
2-D loss surfaces, all in NumPy so every step can be shown."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Function = Callable[[np.ndarray], np.ndarray]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# name -> (f, f')
ACTIVATIONS: dict[str, tuple[Function, Function]] = {
    "linear": (lambda x: x, np.ones_like),
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(0.0, x), lambda x: (x > 0).astype(float)),
    "leaky relu 0.2": (lambda x: np.where(x > 0, x, 0.2 * x), lambda x: np.where(x > 0, 1.0, 0.2)),
}
# One element at a time, as the report timed them (its section 11.1.4).
_ONE_AT_A_TIME: dict[str, Callable[[float], float]] = {
    "linear": lambda x: 3 * x,
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "tanh": math.tanh,
    "relu": lambda x: x if x >= 0 else 0,
}
# The report's seconds for 1,000,000 evaluations in a Python loop (its section 8.1).
REPORT_SECONDS = {"linear": 0.091757, "sigmoid": 1.608700, "tanh": 1.834138, "relu": 0.069825}
NUMPY_REPEATS = 3


def time_activations(n: int = 1_000_000) -> dict[str, dict[str, float]]:
    """Seconds for n evaluations of each timed function: a Python loop against one NumPy call
    (the best of NUMPY_REPEATS, as `timeit` reports: one call is so short that a busy
    moment of the machine could otherwise outweigh it).

    Inputs are spread over [-5, 5] so the loop never overflows `math.exp`.
    """
    values = np.linspace(-5.0, 5.0, n)
    as_list = values.tolist()
    seconds = {}
    for name, one in _ONE_AT_A_TIME.items():
        started = time.perf_counter()
        for x in as_list:
            one(x)
        loop = time.perf_counter() - started
        vectorised = math.inf
        for _ in range(NUMPY_REPEATS):
            started = time.perf_counter()
            ACTIVATIONS[name][0](values)
            vectorised = min(vectorised, time.perf_counter() - started)
        seconds[name] = {"loop": loop, "numpy": vectorised, "report": REPORT_SECONDS[name]}
    return seconds


def descend(learning_rate: float, start: float = -2.0, steps: int = 20,
            target: float = 3.0) -> np.ndarray:
    """Gradient descent on f(x) = (x - target)^2 (f'(x) = 2 (x - target)); the x visited."""
    xs = [start]
    for _ in range(steps):
        xs.append(xs[-1] - learning_rate * 2.0 * (xs[-1] - target))
    return np.array(xs)


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface with its gradient, a start point and the window to draw."""

    title: str
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[float, float], np.ndarray]
    start: tuple[float, float]
    window: tuple[float, float, float, float]  # x min, x max, y min, y max


SURFACES = {
    "Long narrow valley": Surface(
        "f(x, y) = x² / 10 + 2 y²", lambda x, y: x**2 / 10 + 2 * y**2,
        lambda x, y: np.array([x / 5, 4 * y]), (-4.5, 1.5), (-5, 5, -2.5, 2.5)),
    "Rosenbrock's banana": Surface(
        "f(x, y) = (1 − x)² + 10 (y − x²)²", lambda x, y: (1 - x) ** 2 + 10 * (y - x**2) ** 2,
        lambda x, y: np.array([-2 * (1 - x) - 40 * x * (y - x**2), 20 * (y - x**2)]),
        (-1.5, 2.0), (-2, 2, -1, 3)),
    "Saddle": Surface(
        "f(x, y) = x² − y² + y⁴ / 4", lambda x, y: x**2 - y**2 + y**4 / 4,
        lambda x, y: np.array([2 * x, -2 * y + y**3]), (-2.0, 0.01), (-2.5, 2.5, -2.5, 2.5)),
}
OPTIMIZER_RATES = {"SGD": 0.05, "Momentum": 0.05, "RMSprop": 0.05, "Adam": 0.1}


def trajectory(surface: Surface, optimizer: str, learning_rate: float,
               steps: int = 100) -> np.ndarray:
    """The points (steps + 1, 2) an optimizer visits from the surface's start, with the
    textbook update rules (momentum 0.9; RMSprop rho 0.9; Adam betas 0.9, 0.999)."""
    point = np.array(surface.start, dtype=float)
    velocity, square, first = np.zeros(2), np.zeros(2), np.zeros(2)
    points = [point.copy()]
    for step in range(1, steps + 1):
        grad = surface.gradient(*point)
        if optimizer == "SGD":
            point -= learning_rate * grad
        elif optimizer == "Momentum":
            velocity = 0.9 * velocity - learning_rate * grad
            point += velocity
        elif optimizer == "RMSprop":
            square = 0.9 * square + 0.1 * grad**2
            point -= learning_rate * grad / (np.sqrt(square) + 1e-8)
        elif optimizer == "Adam":
            first = 0.9 * first + 0.1 * grad
            square = 0.999 * square + 0.001 * grad**2
            corrected = first / (1 - 0.9**step), square / (1 - 0.999**step)
            point -= learning_rate * corrected[0] / (np.sqrt(corrected[1]) + 1e-8)
        else:
            raise ValueError(f"Unknown optimizer {optimizer!r}.")
        if not np.all(np.isfinite(point)) or np.abs(point).max() > 1e6:
            break  # it diverged: the path so far says so
        points.append(point.copy())
    return np.array(points)
