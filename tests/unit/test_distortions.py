"""Other writers' digits: every transformation keeps the image an image and the digit a digit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from core.data import datasets, distortions
from core.inference import predict


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    mnist = datasets.load("mnist")
    return mnist.images("test")[:200], mnist.labels("test")[:200]


@pytest.mark.parametrize("kind", distortions.TRANSFORMS)
def test_each_transformation_keeps_shape_and_range_and_does_nothing_at_zero(digits, kind):
    images, _ = digits
    for strength in (0.5, 1.0):
        out = distortions.distort(images, kind, strength)
        assert out.shape == images.shape and out.dtype == np.float32
        assert out.min() >= 0.0 and out.max() <= 1.0
        assert not np.allclose(out, images)
    assert np.allclose(distortions.distort(images, kind, 0.0), images, atol=1e-5)


def test_the_same_strength_gives_the_same_images(digits):
    images, _ = digits
    assert np.array_equal(distortions.distort(images, "rotation", 0.5),
                          distortions.distort(images, "rotation", 0.5))


def test_an_unknown_transformation_is_named_in_the_error(digits):
    with pytest.raises(ValueError, match="rotation"):
        distortions.distort(digits[0], "melt", 0.5)


def test_augmentation_keeps_shape_range_and_untouched_share(digits):
    images, labels = digits
    out = distortions.augment(images, labels, np.random.default_rng(0), share=0.5)
    assert out.shape == images.shape and out.min() >= 0.0 and out.max() <= 1.0
    changed = np.abs(out - images).reshape(len(images), -1).max(axis=1) > 1e-4
    assert 0.3 < changed.mean() < 0.7


def test_the_elastic_field_is_the_gaussian_filtered_random_field():
    """Smoothed by matrix products for speed, the wobble is still Simard et al.'s field."""
    field = distortions._elastic_field(8, 1.0, np.random.default_rng(3))
    raw = np.random.default_rng(3).uniform(-1.0, 1.0, (8, 2, 28, 28)).astype(np.float32)
    sigma = distortions.ELASTIC_SIGMA
    np.testing.assert_allclose(field, ndimage.gaussian_filter(raw, (0, 0, sigma, sigma)),
                               atol=1e-6)


def test_sevens_get_a_bar_and_ones_a_flag():
    mnist = datasets.load("mnist")
    rng = np.random.default_rng(0)
    seven = mnist.images("train")[mnist.labels("train") == 7][0][..., 0]
    crossed = distortions.cross_seven(seven, rng)
    rows = np.flatnonzero((seven > 0.3).any(axis=1))
    middle = (rows.min() + rows.max()) // 2
    band = slice(middle - 2, middle + 3)
    assert (crossed[band] > 0.5).sum() > (seven[band] > 0.5).sum() + 3
    one = mnist.images("train")[mnist.labels("train") == 1][0][..., 0]
    flagged = distortions.serif_one(one, rng)
    top = np.flatnonzero((one > 0.3).any(axis=1)).min()
    assert (flagged[top : top + 4] > 0.5).sum() > (one[top : top + 4] > 0.5).sum()


def test_the_label_is_kept_a_trained_cnn_still_reads_them(use_trained, digits):
    """At the reference strength each transformation leaves a digit a person (and a CNN
    trained for one epoch on plain MNIST) still reads."""
    images, labels = digits
    classifier = predict.load_classifier("cnn_report")
    clean = classifier.accuracy(images, labels)
    for kind in distortions.TRANSFORMS:
        shown = distortions.distort(images, kind, distortions.REFERENCE_STRENGTH)
        assert classifier.accuracy(shown, labels) > clean - 0.25, kind
    augmented = distortions.augment(images, labels, np.random.default_rng(1), share=1.0)
    assert classifier.accuracy(augmented, labels) > clean - 0.2
