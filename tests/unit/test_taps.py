"""Taps on several layers share one pass through the model, also for a Sequential loaded from
disk, whose layers' own `.output`s each belong to a rebuild of their own."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from core.models.taps import Taps


def convolutions(model: keras.Model) -> int:
    """How many convolutions one call of the model runs."""
    spec = tf.TensorSpec((None, 12, 12, 1), tf.float32)
    graph = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec).graph
    return sum(op.type == "Conv2D" for op in graph.get_operations())


def small_cnn() -> keras.Model:
    return keras.Sequential([
        keras.Input((12, 12, 1)),
        keras.layers.Conv2D(4, 3, activation="relu", name="first"),
        keras.layers.MaxPooling2D(name="pool"),
        keras.layers.Conv2D(6, 3, activation="relu", name="second"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(5, name="out"),
    ])


def test_a_loaded_sequential_is_tapped_in_one_pass(tmp_path):
    small_cnn().save(tmp_path / "cnn.keras")
    loaded = keras.models.load_model(tmp_path / "cnn.keras")
    taps = Taps(loaded)
    tapped = taps.model([taps.output("first"), taps.output("second"), taps.input("out"),
                         taps.outputs])
    assert convolutions(tapped) == convolutions(loaded) == 2
    images = np.random.default_rng(0).random((3, 12, 12, 1)).astype(np.float32)
    first, second, features, outputs = (np.asarray(t) for t in tapped(images))
    assert np.allclose(outputs, loaded(images), atol=1e-6)
    # The same values as each layer's own output, one model at a time.
    for name, seen in (("first", first), ("second", second), ("flat", features)):
        alone = keras.Model(loaded.inputs[0], loaded.get_layer(name).output)
        assert np.allclose(seen, alone(images), atol=1e-6)


def test_a_functional_models_taps_are_its_own_tensors():
    inputs = keras.Input((12, 12, 1))
    hidden = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(keras.layers.Flatten()(hidden)))
    taps = Taps(model)
    assert taps.inputs is model.inputs[0] and taps.outputs is model.outputs[0]
    assert taps.output("conv") is hidden
