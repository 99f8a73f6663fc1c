"""The zoo's architectures are the seeds' networks, layer for layer."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from core.models import generative, zoo
from core.models.zoo import TrainConfig

# Parameter counts follow from the seeds' layer lists (see the docstrings in core.models.zoo).
PARAMETERS = {
    "mlp": 784 * 256 + 256 + 256 * 10 + 10,
    "cnn_report": 320 + 18_496 + 73_856 + (3 * 3 * 128 * 128 + 128) + 1_290,
    "cnn_lab": 320 + 18_496 + (12 * 12 * 64 * 128 + 128) + 1_290,
}

# The seeds' recipes are references: speed work changes ours, never these.
SEED_RECIPES = {
    "mlp": TrainConfig(optimizer="rmsprop", epochs=12),
    "cnn_report": TrainConfig(epochs=10),
    "cnn_lab": TrainConfig(optimizer="adadelta", learning_rate=1.0, epochs=6),
    "cnn_bn": TrainConfig(batch_size=64, epochs=5, shift_pixels=2),
    "ae_conv": TrainConfig(epochs=10, loss="mse", noisy_inputs=True),
}
SEED_GANS = {  # latent size, batch, learning rates of G and D, Adam's beta_1
    "gan_mlp": (100, 128, 2e-4, 2e-4, 0.5),
    "dcgan": (100, 256, 1e-4, 1e-4, 0.9),
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


@pytest.mark.parametrize("name, recipe", SEED_RECIPES.items())
def test_the_seeds_recipes_are_unchanged(name, recipe):
    assert zoo.spec(name).train == recipe


@pytest.mark.parametrize("name, settings", SEED_GANS.items())
def test_the_seeds_gans_train_as_published(name, settings):
    spec = generative.spec(name)
    assert (spec.latent_dim, spec.batch_size, spec.lr_generator, spec.lr_discriminator,
            spec.beta_1) == settings


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


def reach(model, image: np.ndarray) -> float:
    """How much the output's bottom-right pixel moves with the input's top-left one."""
    inputs = tf.convert_to_tensor(image)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        corner = model(inputs, training=False)[0, -1, -1, 0]
    return float(tf.abs(tape.gradient(corner, inputs)[0, 0, 0, 0]))


def test_the_full_denoiser_sees_the_whole_image_and_the_quick_one_a_patch_at_half_width():
    keras.utils.set_random_seed(0)
    spec = zoo.spec("ae_unet")
    image = np.random.default_rng(0).random((1, 28, 28, 1), np.float32)
    full, quick = spec.builder(quick=False)(zoo.INPUT_SHAPE, 0), spec.builder(quick=True)(
        zoo.INPUT_SHAPE, 0)
    assert full.output_shape == quick.output_shape == (None, 28, 28, 1)
    assert reach(full, image) > 0.0  # through the dense path at its bottom
    assert reach(quick, image) == 0.0  # its convolutions reach 14 px, not 27
    assert "whole" in [layer.name for layer in full.layers]
    assert "whole" not in [layer.name for layer in quick.layers]
    for layer in ("down1_a", "down2_a", "bottom", "merge2", "merge1"):
        assert quick.get_layer(layer).filters * 2 == full.get_layer(layer).filters
