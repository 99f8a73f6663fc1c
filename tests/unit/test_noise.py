"""The seeds' two corruptions: the identity at level 0, the right statistics at any level."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import datasets, noise

GREY = np.full((200, 28, 28), 0.5, np.float32)  # far from the clipping bounds


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return datasets.load("mnist").images("test")[:100]


@pytest.mark.parametrize("kind", noise.NOISES)
def test_level_zero_is_the_identity(kind, digits):
    assert np.array_equal(noise.add_noise(digits, kind, 0.0), digits)


def test_gaussian_noise_has_the_level_as_its_standard_deviation():
    for level in (0.05, 0.1, 0.15):
        added = noise.add_noise(GREY, "gaussian", level) - GREY
        assert abs(added.mean()) < 0.002
        assert added.std() == pytest.approx(level, rel=0.01)


def test_gaussian_noise_is_clipped_to_the_image_range(digits):
    noisy = noise.add_noise(digits, "gaussian", 1.0)
    assert noisy.min() == 0.0 and noisy.max() == 1.0
    # Half of the black background stays black: a clipped negative sample.
    background = digits == 0
    assert (noisy[background] == 0).mean() == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("level", [0.1, 0.4, 0.8])
def test_salt_and_pepper_hits_the_level_share_of_pixels_half_white(level):
    noisy = noise.add_noise(GREY, "salt_pepper", level)
    hit = noisy != 0.5
    assert hit.mean() == pytest.approx(level, abs=0.01)
    assert set(np.unique(noisy[hit])) <= {0.0, 1.0}
    assert (noisy[hit] == 1.0).mean() == pytest.approx(0.5, abs=0.02)


def test_the_same_seed_gives_the_same_noise_and_another_seed_another(digits):
    one = noise.add_noise(digits, "gaussian", 0.5, seed=3)
    assert np.array_equal(one, noise.add_noise(digits, "gaussian", 0.5, seed=3))
    assert not np.array_equal(one, noise.add_noise(digits, "gaussian", 0.5, seed=4))


def test_one_level_per_image():
    levels = np.array([0.0, 0.1, 0.3], np.float32)
    noisy = noise.add_noise(GREY[:3], "gaussian", levels)
    assert np.array_equal(noisy[0], GREY[0])
    assert (noisy - GREY[:3])[1:].std(axis=(1, 2)) == pytest.approx(levels[1:], rel=0.1)


def test_random_noise_uses_both_kinds_at_many_levels():
    noisy = noise.random_noise(GREY, np.random.default_rng(0))
    binary = np.all(np.isin(noisy, (0.0, 0.5, 1.0)), axis=(1, 2))  # salt and pepper only
    assert 0.35 < binary.mean() < 0.65
    assert np.ptp((noisy != 0.5).mean(axis=(1, 2))) > 0.5  # levels spread over [0, 1]


def test_a_skew_draws_more_levels_near_the_top():
    def share_above_half(skew: float) -> float:
        noisy = noise.random_noise(GREY, np.random.default_rng(0), skew=skew)
        salt_pepper = np.all(np.isin(noisy, (0.0, 0.5, 1.0)), axis=(1, 2))
        levels = (noisy[salt_pepper] != 0.5).mean(axis=(1, 2))  # the share of pixels hit
        return float((levels > 0.5).mean())

    # Even levels put half of them above 0.5; skew 2 (density 2 * level) three quarters.
    assert share_above_half(1.0) == pytest.approx(0.5, abs=0.15)
    assert share_above_half(2.0) == pytest.approx(0.75, abs=0.15)


@pytest.mark.parametrize("kind, level", [("speckle", 0.1), ("gaussian", 1.5),
                                         ("salt_pepper", -0.1)])
def test_an_unknown_kind_or_a_level_outside_0_1_is_refused(kind, level):
    with pytest.raises(ValueError):
        noise.add_noise(GREY, kind, level)
