"""Is it a digit? The detector on a trained CNN's features, its threshold and its card."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from core import settings, store
from core.data import datasets, detector_images, non_digits
from core.inference import novelty, predict
from core.models import zoo
from core.models.zoo import TrainConfig
from core.training import fit


def test_the_detector_is_fitted_and_kept_on_the_card(use_trained):
    card = store.read_card("cnn_report", "mnist")
    kept = novelty.DigitDetector.from_dict(card.metrics["novelty"])
    assert np.isfinite(kept.threshold) and kept.method == novelty.METHOD
    classifier = predict.load_classifier("cnn_report")
    assert classifier.detector == kept


def test_a_detector_fitted_on_loading_is_written_onto_the_card_once(nc_home, monkeypatch):
    keras.utils.set_random_seed(0)
    card = store.new_card("mlp", "mnist", "MLP", TrainConfig(), test_accuracy=0.5,
                          test_loss=1.0, train_seconds=1.0, epochs=1,
                          metrics={"novelty": {"method": "an older method"}})
    store.save(zoo.build("mlp"), card)
    fitted = novelty.detector_of(store.load("mlp", "mnist"), outputs_logits=False)
    assert store.read_card("mlp", "mnist").metrics["novelty"] == fitted.as_dict()
    monkeypatch.setattr(novelty, "fit_for", lambda *args: pytest.fail("fitted again"))
    assert novelty.detector_of(store.load("mlp", "mnist"), outputs_logits=False) == fitted


def test_a_quick_recipe_fits_its_detector_on_every_fourth_fitting_image(nc_home, monkeypatch):
    """First launch's quick models arrive sooner: their detector reads a quarter of the
    fitting images (the full recipe's reads them all)."""
    fitted_on, real_fit = [], novelty.fit
    monkeypatch.setattr(novelty, "fit", lambda *inputs: fitted_on.append(
        [len(part) for part in inputs]) or real_fit(*inputs))
    config = TrainConfig(optimizer="rmsprop", epochs=1, train_samples=600, time_budget_s=0.0)
    card = fit.train_model("mlp", config=config, quick=True)
    whole = [len(images) for images in detector_images.fitting_images("mnist")]
    assert fitted_on == [[-(-n // novelty.QUICK_EVERY) for n in whole]]
    assert np.isfinite(card.metrics["novelty"]["threshold"])


def test_the_fitting_images_are_made_once_and_kept_beside_the_dataset(tmp_path, monkeypatch,
                                                                     request):
    request.addfinalizer(detector_images.fitting_images.cache_clear)  # not these small ones
    data = tmp_path / "data"
    data.mkdir()
    (data / "mnist.npz").symlink_to(datasets.cache_path("mnist"))
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path))
    for constant, size in (("DIGIT_SAMPLES", 40), ("CANVAS_DIGITS", 6),
                           ("NON_DIGIT_SAMPLES", 12), ("CALIBRATION_SAMPLES", 10)):
        monkeypatch.setattr(detector_images, constant, size)
    older = data / "mnist-detector-images-0123456789ab.npz"  # made by an earlier version
    older.write_bytes(b"")
    detector_images.fitting_images.cache_clear()
    made = detector_images.fitting_images("mnist")
    assert [len(images) for images in made] == [46, 12, 20]
    assert len(list(data.glob("mnist-detector-images-*.npz"))) == 1 and not older.exists()
    assert not list(data.glob("*.partial*"))
    detector_images.fitting_images.cache_clear()
    monkeypatch.setattr(detector_images, "_make", lambda _: pytest.fail("made again"))
    kept = detector_images.fitting_images("mnist")
    assert all(np.array_equal(a, b) for a, b in zip(made, kept, strict=True))


def test_drawings_that_are_not_digits_are_flagged_and_test_digits_are_not(use_trained):
    classifier = predict.load_classifier("cnn_report")
    others, _ = non_digits.drawings(300, seed=123)  # new drawings: the fit used seed 0
    _, other_scores = classifier.read(others)
    test = datasets.load("mnist").images("test")[5000:7000]  # not the threshold's half
    probabilities, digit_scores = classifier.read(test)
    threshold = classifier.detector.threshold
    assert (other_scores > threshold).mean() > 0.5
    assert (digit_scores > threshold).mean() < 0.02
    # The softmax alone is sure of many of them: the detector is what tells them apart.
    other_probabilities = classifier.probabilities(others)
    assert (other_probabilities.max(axis=1) >= 0.9).mean() > 0.2


def test_one_prediction_carries_the_verdict(use_trained):
    classifier = predict.load_classifier("cnn_report")
    star = non_digits.drawings(1, seed=5, families=("star",))[0][0]
    result = classifier.predict(star)
    assert result.not_a_digit and result.not_digit_threshold == classifier.detector.threshold
    digit = classifier.predict(datasets.load("mnist").images("test")[9000])
    assert not digit.not_a_digit


@pytest.mark.parametrize("hidden_units", [novelty.HIDDEN_UNITS, 0])
def test_the_threshold_keeps_the_held_out_share_of_digits(hidden_units):
    """The digits' detector (a hidden layer) and the Teach page's (a logistic regression)."""
    rng = np.random.default_rng(0)
    digits, held_out = rng.normal(0, 1, (2000, 4)), rng.normal(0, 1, (2000, 4))
    others = rng.normal(3, 1, (2000, 4))
    detector = novelty.fit(digits, others, held_out, hidden_units=hidden_units)
    assert bool(detector.hidden) == bool(hidden_units)
    assert abs(detector.flags(held_out).mean() - (1 - novelty.DIGIT_COVERAGE)) < 0.002
    assert detector.flags(rng.normal(3, 1, (1000, 4))).mean() > 0.9
    kept = novelty.DigitDetector.from_dict(json.loads(json.dumps(detector.as_dict())))
    assert kept == detector
    np.testing.assert_array_equal(kept.scores(held_out), detector.scores(held_out))


def test_a_detector_stored_before_hidden_layers_still_reads():
    """The Teach page's networks kept logistic regressions on their cards before the digits'
    detector had a hidden layer."""
    stored = {"mean": [0.0, 1.0], "scale": [1.0, 2.0], "weights": [1.0, -1.0, 0.5],
              "threshold": 0.0, "method": novelty.SYMBOL_METHOD}
    detector = novelty.DigitDetector.from_dict(stored)
    np.testing.assert_allclose(detector.scores(np.array([[2.0, 5.0]])), [2.0 - 2.0 + 0.5])



def test_every_family_of_non_digits_comes_through_the_canvas_path_and_varies():
    for family in non_digits.FAMILIES:
        images, names = non_digits.drawings(4, seed=1, families=(family,))
        assert images.shape == (4, 28, 28) and names == [family] * 4
        assert 0.0 <= images.min() and images.max() <= 1.0
        assert all(image.sum() > 10 for image in images), family  # ink, not a dot
        assert len({image.tobytes() for image in images}) == 4, family
