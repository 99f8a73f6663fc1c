"""Every NumPy op against the Keras layer it mirrors, on random inputs and trained weights."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core.data import datasets
from core.inference import predict
from core.models import zoo
from core.scratch import numpy_ops

TOLERANCE = 1e-5
rng = np.random.default_rng(0)


def random(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def keras_output(layer, x: np.ndarray) -> np.ndarray:
    return np.asarray(layer(x))


@pytest.mark.parametrize("stride, padding, kernel", [
    (1, "valid", 3), (1, "same", 3), (2, "same", 3), (2, "valid", 5), (3, "same", 4),
])
def test_conv2d_matches_keras(stride, padding, kernel):
    x = random(2, 13, 11, 3)
    layer = keras.layers.Conv2D(5, kernel, strides=stride, padding=padding)
    layer.build(x.shape)
    kernels, bias = layer.get_weights()[0], random(5)
    layer.set_weights([kernels, bias])
    expected = keras_output(layer, x)
    ours = numpy_ops.conv2d(x, kernels, bias, stride, padding)
    assert ours.shape == expected.shape
    assert np.abs(ours - expected).max() < TOLERANCE


def test_conv2d_of_one_grey_image_with_one_filter():
    image = random(6, 6)
    kernel = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32)
    out = numpy_ops.conv2d(image, kernel)
    assert out.shape == (4, 4, 1)
    assert out[1, 2, 0] == pytest.approx((image[1:4, 2:5] * kernel).sum(), abs=1e-5)


@pytest.mark.parametrize("pool, stride, padding", [(2, 2, "valid"), (3, 2, "valid"),
                                                   (2, 2, "same"), (3, 1, "same")])
def test_max_pool_matches_keras(pool, stride, padding):
    x = random(2, 9, 7, 4)
    expected = keras_output(keras.layers.MaxPooling2D(pool, stride, padding), x)
    ours = numpy_ops.max_pool(x, pool, stride, padding)
    assert ours.shape == expected.shape and np.abs(ours - expected).max() < TOLERANCE


def test_relu_dense_and_softmax_match_keras():
    x = random(4, 30)
    assert np.array_equal(numpy_ops.relu(x), keras_output(keras.layers.ReLU(), x))
    layer = keras.layers.Dense(7)
    layer.build((None, 30))
    layer.set_weights([random(30, 7), random(7)])
    assert np.abs(numpy_ops.dense(x, *layer.get_weights()) - keras_output(layer, x)).max() \
        < TOLERANCE
    expected = keras_output(keras.layers.Softmax(), x * 10)
    assert np.abs(numpy_ops.softmax(x * 10) - expected).max() < TOLERANCE


def test_normalize_gives_each_map_zero_mean_and_unit_spread():
    x = random(3, 8, 8, 5) * 4 + 2
    expected = keras_output(keras.layers.LayerNormalization(
        axis=(1, 2), center=False, scale=False, epsilon=numpy_ops.NORMALIZE_EPSILON), x)
    ours = numpy_ops.normalize(x)
    assert np.abs(ours - expected).max() < TOLERANCE
    assert np.abs(ours.mean(axis=(1, 2))).max() < 1e-5


def test_output_size_formula():
    assert numpy_ops.output_size(28, 3, 1, "valid") == 26
    assert numpy_ops.output_size(28, 3, 2, "same") == 14
    assert numpy_ops.output_size(7, 2, 2, "valid") == 3


def test_numpy_forward_pass_agrees_with_keras_on_the_whole_test_set(use_trained):
    model = predict.load_classifier("cnn_report").model
    images = datasets.load("mnist").images("test")
    ours = numpy_ops.forward(model, images)
    theirs = model.predict(images, batch_size=1000, verbose=0)
    assert np.abs(ours - theirs).max() < 1e-3
    assert np.array_equal(ours.argmax(axis=1), theirs.argmax(axis=1))


@pytest.mark.parametrize("name", ["cnn_lab", "cnn_bn", "cnn_best", "mlp"])
def test_numpy_forward_pass_handles_every_zoo_classifier(name):
    model = zoo.build(name)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([gamma + random(*gamma.shape) * 0.1, random(*beta.shape),
                               random(*mean.shape), np.abs(random(*variance.shape)) + 0.5])
    x = np.abs(random(4, 28, 28, 1))
    expected = np.asarray(model(x, training=False))
    assert np.abs(numpy_ops.forward(model, x) - expected).max() < 1e-4


@pytest.mark.parametrize("name", ["mlp", "cnn_lab", "cnn_bn", "cnn_report"])
def test_logits_are_the_scores_under_the_softmax(name):
    model = zoo.build(name)
    x = np.abs(random(3, 28, 28, 1))
    logits = numpy_ops.forward(model, x, logits=True)
    expected = np.asarray(model(x, training=False))
    if not zoo.spec(name).outputs_logits:
        expected = np.log(expected)  # log-probabilities: the logits up to a constant per row
        logits = logits - logits.max(axis=1, keepdims=True)
        expected = expected - expected.max(axis=1, keepdims=True)
    assert np.abs(logits - expected).max() < 1e-4


def test_unsupported_layers_are_named():
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.GlobalAveragePooling2D()])
    with pytest.raises(ValueError, match="GlobalAveragePooling2D"):
        numpy_ops.forward(model, random(1, 8, 8, 1))
