"""Denoisers: a briefly trained one really cleans real noisy digits, and is chosen by how
often a classifier reads what it restores right."""

from __future__ import annotations

import numpy as np
import pytest

from core import store
from core.data import datasets
from core.inference import denoise, predict
from core.models import zoo


@pytest.fixture(scope="module")
def test_digits():
    loaded = datasets.load("mnist")
    return loaded.images("test")[:300], loaded.labels("test")[:300]


@pytest.fixture
def denoiser(use_trained) -> denoise.Denoiser:
    return denoise.load_denoiser("ae_unet")


def test_every_denoiser_returns_images_of_the_input_shape():
    for name in zoo.DENOISERS:
        model = zoo.build(name)
        assert model(np.zeros((2, 28, 28, 1), np.float32)).shape == (2, 28, 28, 1)


def test_a_briefly_trained_denoiser_raises_psnr_on_real_noisy_digits(denoiser, test_digits):
    images, _ = test_digits
    for kind in ("gaussian", "salt_pepper"):
        for level in (0.3, 0.6):
            noisy = denoise.noise.add_noise(images, kind, level, seed=5)
            cleaned = denoiser.denoise(noisy)
            gain = (denoise.image_quality.psnr(images, cleaned).mean()
                    - denoise.image_quality.psnr(images, noisy).mean())
            assert gain > 1.5, (kind, level, gain)
            assert cleaned.shape == images.shape and 0 <= cleaned.min() <= cleaned.max() <= 1


def test_a_guided_denoiser_is_stored_without_its_guide(denoiser):
    assert denoiser.card.config["guide"] == "cnn_report"
    assert denoiser.model.name == "ae_unet"
    assert denoiser.model.outputs[0].shape[1:] == (28, 28, 1)


def test_the_card_carries_quality_and_accuracy_per_noise_and_level(denoiser):
    metrics = denoiser.card.metrics
    assert set(metrics) == {"gaussian", "salt_pepper", "reader"}
    assert metrics["reader"] == predict.best_card("mnist", zoo.CLEAN_CLASSIFIERS).name
    for kind in ("gaussian", "salt_pepper"):
        rows = metrics[kind]
        assert rows["levels"] == list(denoise.QUALITY_LEVELS)
        assert len(rows["psnr"]) == len(rows["ssim_noisy"]) == len(rows["accuracy"]) == 3
        assert rows["psnr"][-1] > rows["psnr_noisy"][-1]  # at level 1.0 even a brief one helps
        assert rows["accuracy"][1] > rows["accuracy_noisy"][1] + 0.1  # and at 0.6 it reads
    assert denoiser.card.test_accuracy is None
    assert "read right" in denoise.headline(denoiser.card)


def test_denoising_helps_the_classifier_read_heavy_noise(denoiser, test_digits):
    images, labels = test_digits
    classifier = predict.load_classifier("cnn_report")
    noisy = denoise.accuracy_under_noise(classifier, images, labels, "gaussian", 0.6)
    cleaned = denoise.accuracy_under_noise(classifier, images, labels, "gaussian", 0.6, denoiser)
    assert cleaned > noisy + 0.1


def test_restore_measures_a_batch_and_keeps_the_noise_fixed(denoiser, test_digits):
    images = test_digits[0][:16, ..., 0]
    classifier = predict.load_classifier("mlp")
    first = denoise.restore(images, "salt_pepper", 0.4, denoiser, classifier)
    again = denoise.restore(images, "salt_pepper", 0.4, denoiser, classifier)
    assert np.array_equal(first.noisy, again.noisy)
    assert first.denoised.shape == images.shape
    assert first.noisy_probabilities.shape == (16, 10)
    assert np.allclose(first.denoised_probabilities.sum(axis=1), 1, atol=1e-5)
    assert first.psnr_denoised.mean() > first.psnr_noisy.mean()
    assert first.ssim_denoised.mean() > first.ssim_noisy.mean()


def test_the_best_denoiser_is_the_one_whose_restorations_read_best(own_trained):
    card = store.read_card("ae_unet", "mnist")
    assert denoise.best_denoiser("mnist", "gaussian") == card
    assert denoise.best_denoiser("fashion_mnist", "gaussian") is None
    rows = card.metrics["gaussian"]

    def other(name: str, gaussian: dict) -> store.Card:
        return store.Card(**{**card.__dict__, "name": name, "metrics": {"gaussian": gaussian}})

    better = other("ae_conv", rows | {"accuracy": [1.0] * 3, "psnr": [1.0] * 3})
    unread = other("ae_dense", {"psnr": [99.0] * 3})  # measured before cards said accuracy
    for extra in (better, unread):
        store.save(zoo.build(extra.name), extra)
    ranked = [c.name for c in denoise.ranked_denoisers("mnist", "gaussian")]
    assert ranked == ["ae_conv", "ae_unet", "ae_dense"]
    assert denoise.mean_accuracy(unread, "gaussian") is None
