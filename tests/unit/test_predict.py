"""The hot path: fast, correct single-image predictions with saliency, and model swaps."""

from __future__ import annotations

import numpy as np

from core import store
from core.data import datasets, preprocess
from core.inference import predict
from core.models import zoo
from core.models.zoo import TrainConfig
from tests.drawings import digit_canvas


def test_predictions_agree_with_keras_and_are_accurate(use_trained):
    classifier = predict.load_classifier("cnn_report")
    mnist = datasets.load("mnist")
    images = mnist.images("test")[:500]
    probabilities = classifier.probabilities(images)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    logits = classifier.model.predict(images, verbose=0)
    reference = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.abs(probabilities - reference).max() < 1e-4
    assert (probabilities.argmax(axis=1) == mnist.y_test[:500]).mean() > 0.95


def test_a_drawn_digit_gets_a_prediction_and_a_saliency_map(use_trained):
    classifier = predict.load_classifier("cnn_report")
    hits = 0
    for index in range(20):
        result = classifier.predict(preprocess.from_canvas(digit_canvas(index)))
        hits += result.digit == datasets.load("mnist").y_test[index]
        assert result.saliency.shape == (28, 28)
        assert result.saliency.min() >= 0.0 and result.saliency.max() == 1.0
        assert 0.0 < result.confidence <= 1.0
    assert hits >= 18


def test_the_mlp_has_a_saliency_map_too(use_trained):
    result = predict.load_classifier("mlp").predict(datasets.load("mnist").images("test")[0])
    assert result.saliency is not None and result.saliency.max() == 1.0


def test_a_retrained_model_is_swapped_in(nc_home):
    model = zoo.build("mlp")
    card = store.new_card("mlp", "mnist", "MLP", TrainConfig(), test_accuracy=0.1,
                          test_loss=2.3, train_seconds=0, epochs=0)
    store.save(model, card)
    first = predict.load_classifier("mlp")
    assert predict.load_classifier("mlp") is first  # warm: not loaded twice
    store.save(zoo.build("mlp"), card)
    assert predict.load_classifier("mlp") is not first


def test_best_card_picks_the_most_accurate(nc_home):
    for name, accuracy in (("cnn_report", 0.98), ("cnn_best", 0.995), ("mlp", 0.999)):
        store.save(zoo.build(name), store.new_card(name, "mnist", name, TrainConfig(),
                                                   test_accuracy=accuracy, test_loss=0,
                                                   train_seconds=0, epochs=1))
    assert predict.best_card("mnist", ("cnn_report", "cnn_best")).name == "cnn_best"
    assert predict.best_card("fashion_mnist", ("cnn_best",)) is None


def test_one_warm_model_serves_many_sessions_at_once(use_trained):
    """Sessions share warm models (core.inference.warm): predictions from eight threads at
    once equal the ones made one at a time, with the denoiser and the saliency path in the mix."""
    from concurrent.futures import ThreadPoolExecutor

    from core.inference import denoise

    classifier = predict.load_classifier("cnn_report")
    denoiser = denoise.load_denoiser("ae_unet")
    images = datasets.load("mnist").images("test")[:64, ..., 0]

    def work(index: int) -> tuple[np.ndarray, np.ndarray]:
        result = classifier.predict(images[index], saliency=True)
        return result.probabilities, denoiser.denoise(images[index : index + 1])[0]

    alone = [work(i) for i in range(len(images))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(work, range(len(images))))
    for (p1, d1), (p2, d2) in zip(alone, together, strict=True):
        np.testing.assert_allclose(p1, p2, atol=1e-6)
        np.testing.assert_allclose(d1, d2, atol=1e-6)
