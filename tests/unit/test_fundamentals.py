"""Activations, gradient descent and the optimizers' update rules."""

from __future__ import annotations

import numpy as np
import pytest

from core.scratch import fundamentals


@pytest.mark.parametrize("name", list(fundamentals.ACTIVATIONS))
def test_every_derivative_matches_a_finite_difference(name):
    f, derivative = fundamentals.ACTIVATIONS[name]
    x = np.array([-3.0, -0.7, 0.4, 2.5])
    numeric = (f(x + 1e-6) - f(x - 1e-6)) / 2e-6
    assert np.allclose(derivative(x), numeric, atol=1e-5)


def test_timing_compares_the_loop_with_numpy():
    seconds = fundamentals.time_activations(20_000)
    assert list(seconds) == ["linear", "sigmoid", "tanh", "relu"]
    assert all(s["loop"] > s["numpy"] > 0 for s in seconds.values())
    assert seconds["sigmoid"]["report"] == 1.6087


def test_gradient_descent_on_the_parabola():
    assert fundamentals.descend(0.5, start=-2.0, steps=1).tolist() == [-2.0, 3.0]
    assert abs(fundamentals.descend(0.1, steps=50)[-1] - 3) < 1e-3
    assert fundamentals.descend(1.0, start=1.0, steps=2).tolist() == [1.0, 5.0, 1.0]
    assert abs(fundamentals.descend(1.1, steps=20)[-1]) > 20  # diverges


@pytest.mark.parametrize("optimizer", list(fundamentals.OPTIMIZER_RATES))
def test_every_optimizer_goes_downhill(optimizer):
    surface = fundamentals.SURFACES["Long narrow valley"]
    path = fundamentals.trajectory(surface, optimizer, fundamentals.OPTIMIZER_RATES[optimizer],
                                   200)
    assert path.shape == (201, 2)
    assert surface.loss(*path[-1]) < surface.loss(*path[0]) / 10


def test_adams_first_step_has_the_learning_rates_length():
    surface = fundamentals.SURFACES["Rosenbrock's banana"]
    step = np.diff(fundamentals.trajectory(surface, "Adam", 0.1, 1), axis=0)[0]
    assert np.allclose(np.abs(step), 0.1, atol=1e-6)


def test_a_diverging_path_stops_where_it_blew_up():
    surface = fundamentals.SURFACES["Long narrow valley"]
    path = fundamentals.trajectory(surface, "SGD", 5.0, 300)
    assert len(path) < 301 and np.isfinite(path).all()
