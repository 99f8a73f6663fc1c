"""Feature maps from one pass, and the hand-worked convolution and pooling, against Keras."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core import store
from core.data import datasets
from core.inference import inspect, predict
from core.models import zoo
from core.models.zoo import TrainConfig


def test_stages_group_each_convolution_with_its_batch_norm_and_relu():
    titles = {name: [stage.title for stage in inspect.stages(zoo.build(name))]
              for name in zoo.CNNS}
    assert titles["cnn_report"] == ["conv_32", "pool_1", "conv_64", "pool_2", "conv_128"]
    assert titles["cnn_lab"] == ["conv_32", "conv_64", "pool"]
    assert titles["cnn_bn"][0] == "conv1_1 → bn1_1 → relu1_1" and len(titles["cnn_bn"]) == 6
    assert titles["cnn_best"][2] == "pool_1" and len(titles["cnn_best"]) == 6
    assert inspect.stages(zoo.build("mlp")) == []


def digit(index: int = 0) -> np.ndarray:
    return datasets.load("mnist").images("test")[index, :, :, 0]


def untrained(name: str) -> predict.Classifier:
    """A classifier with random weights and random batch-norm statistics (not the identity).
    Its card says Fashion-MNIST, where no not-a-digit detector is fitted: fitting one to a
    random cnn_bn took 80 s, for what these tests do not look at."""
    model = zoo.build(name)
    rng = np.random.default_rng(0)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([gamma + rng.normal(0, 0.2, gamma.shape),
                               rng.normal(0, 0.2, beta.shape), rng.normal(0, 0.1, mean.shape),
                               rng.uniform(0.5, 2, variance.shape)])
    card = store.new_card(name, "fashion_mnist", zoo.spec(name).title, TrainConfig(),
                          test_accuracy=0.0, test_loss=0.0, train_seconds=0.0, epochs=0)
    return predict.Classifier(store.StoredModel(model, card))


def test_one_pass_gives_every_stage_the_logits_and_the_prediction(use_trained):
    classifier = predict.load_classifier("cnn_report")
    result = inspect.inspector(classifier).inspect(digit())
    model = classifier.model
    for layer in result.layers:
        alone = keras.Model(model.inputs[0], model.get_layer(layer.stage.layers[-1]).output)
        expected = np.asarray(alone(digit()[None, :, :, None]))[0]
        assert layer.maps.shape == expected.shape
        assert np.abs(layer.maps - expected).max() < 1e-5
    assert np.allclose(result.probabilities, classifier.probabilities(digit()[None])[0], atol=1e-6)
    softmax = np.exp(result.logits - result.logits.max())
    assert np.allclose(softmax / softmax.sum(), result.probabilities, atol=1e-6)
    assert result.digit == int(datasets.load("mnist").y_test[0])
    assert inspect.inspector(classifier) is inspect.inspector(classifier)  # built once


@pytest.mark.parametrize("name", ["cnn_bn", "cnn_best", "cnn_lab"])
def test_logits_of_softmax_and_logit_models(name):
    classifier = untrained(name)
    result = inspect.inspector(classifier).inspect(digit(1))
    softmax = np.exp(result.logits - result.logits.max())
    assert np.allclose(softmax / softmax.sum(), result.probabilities, atol=1e-5)


@pytest.mark.parametrize("name", ["cnn_report", "cnn_bn", "cnn_best"])
def test_a_hand_worked_convolution_equals_the_feature_map(name, use_trained):
    classifier = predict.load_classifier(name) if name == "cnn_report" else untrained(name)
    result = inspect.inspector(classifier).inspect(digit(2))
    first = result.layers[0]
    conv = inspect.first_conv(classifier.model, first.stage)
    rng = np.random.default_rng(3)
    for _ in range(25):
        i, j = rng.integers(first.maps.shape[0]), rng.integers(first.maps.shape[1])
        f = rng.integers(first.maps.shape[2])
        step = inspect.conv_step(result.image, conv, i, j, f)
        assert step.value == pytest.approx(float(first.maps[i, j, f]), abs=1e-5)
        assert np.allclose(step.products, step.patch * step.kernel)
    edge = inspect.conv_step(result.image, conv, 0, 0, 0)
    assert edge.patch.shape == (3, 3)
    if conv.padding == "same":
        assert np.all(edge.patch[0] == 0) and np.all(edge.patch[:, 0] == 0)  # the zero frame


def test_a_hand_worked_pooling_window_equals_the_pooled_map(use_trained):
    result = inspect.inspector(predict.load_classifier("cnn_report")).inspect(digit(3))
    conv, pooled = result.layers[0].maps, result.layers[1].maps
    for i, j, c in [(0, 0, 0), (6, 7, 5), (12, 12, 31)]:
        step = inspect.pool_step(conv[:, :, c], i, j)
        assert step.value == pooled[i, j, c] and step.window.shape == (2, 2)
        assert step.window[step.winner] == step.value


def test_own_kernels_and_the_output_size_formula():
    image = digit()
    identity = np.array(inspect.KERNEL_PRESETS["Identity"], np.float32)
    assert np.allclose(inspect.apply_kernel(image, identity, 1, "same"), image)
    assert inspect.apply_kernel(image, identity, 1, "valid").shape == (26, 26)
    assert inspect.apply_kernel(image, identity, 2, "same").shape == (14, 14)
    assert inspect.apply_kernel(image, identity, 3, "valid").shape == (9, 9)
    blur = np.array(inspect.KERNEL_PRESETS["Blur (Gaussian)"])
    assert blur.sum() == pytest.approx(1.0)
    sobel = np.array(inspect.KERNEL_PRESETS["Sobel x (vertical edges)"], np.float32)
    flat = np.ones((10, 10), np.float32)
    assert np.allclose(inspect.apply_kernel(flat, sobel, 1, "valid"), 0)
    assert inspect.output_formula(28, 3, 2, "same") == "⌊(28 + 1 − 3) / 2⌋ + 1 = 14"
    assert inspect.output_formula(28, 3, 1, "valid") == "⌊(28 + 0 − 3) / 1⌋ + 1 = 26"
