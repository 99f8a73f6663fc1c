"""The zoo's architectures are the seeds' networks, layer for layer."""

from __future__ import annotations

import numpy as np
import pytest

from core.models import zoo

# Parameter counts follow from the seeds' layer lists (see the docstrings in core.models.zoo).
PARAMETERS = {
    "mlp": 784 * 256 + 256 + 256 * 10 + 10,
    "cnn_report": 320 + 18_496 + 73_856 + (3 * 3 * 128 * 128 + 128) + 1_290,
    "cnn_lab": 320 + 18_496 + (12 * 12 * 64 * 128 + 128) + 1_290,
}


@pytest.mark.parametrize("name", zoo.CLASSIFIERS)
def test_every_classifier_maps_a_batch_of_digits_to_ten_scores(name):
    model = zoo.build(name)
    outputs = np.asarray(model(np.zeros((3, 28, 28, 1), np.float32), training=False))
    assert outputs.shape == (3, 10)
    if not zoo.spec(name).outputs_logits:
        assert np.allclose(outputs.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("name, count", PARAMETERS.items())
def test_parameter_counts_match_the_seeds(name, count):
    assert zoo.build(name).count_params() == count


def test_cnn_bn_has_the_lectures_layer_sequence():
    kinds = [type(layer).__name__ for layer in zoo.build("cnn_bn").layers]
    block = ["Conv2D", "BatchNormalization", "Activation"] * 2 + ["MaxPooling2D"]
    assert kinds == block * 2 + ["Flatten", "Dense", "BatchNormalization", "Activation",
                                 "Dropout", "Dense", "Activation"]


def test_builders_accept_colour_images():
    model = zoo.build("cnn_best", input_shape=(32, 32, 3))
    assert model(np.zeros((1, 32, 32, 3), np.float32)).shape == (1, 10)


def test_unknown_model_names_the_known_ones():
    with pytest.raises(ValueError, match="cnn_best"):
        zoo.spec("resnet")
