"""PSNR and SSIM against values worked out by hand and against TensorFlow's SSIM; the
background glow measure against a planted dot."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from scipy import ndimage

from core.data import datasets, image_quality, noise


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return datasets.load("mnist").images("test")[:32]


def test_psnr_of_a_known_error():
    clean = np.zeros((2, 28, 28), np.float32)
    # MSE 0.01 -> 20 dB; MSE 0.0001 -> 40 dB.
    other = np.stack([clean[0] + 0.1, clean[1] + 0.01])
    assert image_quality.psnr(clean, other) == pytest.approx([20.0, 40.0], abs=1e-4)


def test_psnr_of_identical_images_is_capped_not_infinite(digits):
    assert np.all(image_quality.psnr(digits, digits) == image_quality.PSNR_MAX_DB)


def test_ssim_of_identical_images_is_one(digits):
    assert image_quality.ssim(digits, digits) == pytest.approx(1.0, abs=1e-6)


def test_ssim_of_two_flat_images_follows_the_formula():
    a, b = 0.2, 0.6
    c1 = (image_quality.K1) ** 2
    expected = (2 * a * b + c1) / (a * a + b * b + c1)  # no variance: structure term is 1
    flat = np.full((1, 28, 28), a), np.full((1, 28, 28), b)
    assert image_quality.ssim(*flat)[0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("kind, level", [("gaussian", 0.3), ("salt_pepper", 0.2)])
def test_ssim_equals_tensorflows_on_noisy_digits(digits, kind, level):
    noisy = noise.add_noise(digits, kind, level)
    ours = image_quality.ssim(digits, noisy)
    theirs = tf.image.ssim(tf.constant(digits), tf.constant(noisy),
                           max_val=1.0).numpy()
    assert theirs.shape == ours.shape == (len(digits),)
    assert np.abs(ours - theirs).max() < 1e-4
    assert ours.mean() < 0.9  # the noise really costs similarity


def test_images_of_different_shapes_are_refused(digits):
    with pytest.raises(ValueError, match="differ in shape"):
        image_quality.psnr(digits, digits[:, :27])


def test_background_glow_catches_a_planted_dot_and_spares_blur(digits):
    # A restorer that blurs the strokes lights nothing up 3 px away from the ink ...
    blurred = ndimage.gaussian_filter(digits[..., 0], sigma=(0, 0.7, 0.7))
    assert np.nanmax(image_quality.background_glow(digits[..., 0], blurred)) < 0.05
    # ... one that also paints a faint grey dot near the lower-left corner is caught there.
    dotted = blurred.copy()
    dotted[:, 24, 3] += 0.1
    glow = image_quality.background_glow(digits[..., 0], dotted)
    assert np.unravel_index(np.nanargmax(glow), glow.shape) == (24, 3)
    assert np.nanmax(glow) > 0.05


def test_background_glow_leaves_out_ink_and_its_surroundings():
    clean = np.zeros((1, 28, 28))
    clean[0, 14, 14] = 1.0
    glow = image_quality.background_glow(clean, np.ones_like(clean))
    assert np.isnan(glow[12:17, 12:17]).all()  # closer than 3 px to the ink
    assert glow[14, 17] == 1.0 and glow[11, 14] == 1.0  # 3 px away is background
