"""The two networks the Teach page trains on a class's new symbols, side by side.

`from_scratch` is a small CNN with random weights. `transfer` keeps a trained digit
classifier's convolution stages (`cnn_best`'s, by default) frozen and puts a new head on
their output: the strokes, corners and curves it learnt on 60,000 digits are what a new
symbol is made of, so a handful of examples per class are enough for the head. With
`fine_tune` the last convolution stage learns too (its batch norm stays frozen: a batch of
a few dozen drawings would spoil the statistics of 60,000 digits).
"""

from __future__ import annotations

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)
BASE = "cnn_best"
FEATURES = "pool_2"  # the base's last convolution stage, pooled: 7x7x64
LAST_STAGE = ("conv2_1", "conv2_2")
HEAD_DROPOUT = 0.3


def from_scratch(num_classes: int) -> keras.Model:
    """A small CNN: Conv16-Pool-Conv32-Pool-Dense64, random weights, logits out."""
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = layers.Conv2D(16, 3, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(name="pool_1")(x)
    x = layers.Conv2D(32, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(name="pool_2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(HEAD_DROPOUT, name="dropout")(x)
    x = layers.Dense(64, activation="relu", name="dense_64")(x)
    outputs = layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="from_scratch")


def transfer(base: keras.Model, num_classes: int, fine_tune: bool = False) -> keras.Model:
    """A copy of `base` up to its FEATURES layer, frozen (but the last stage's convolutions
    when `fine_tune`), with a new head: Flatten-Dropout-Dense, logits out. The base itself
    is never changed."""
    copy = keras.models.clone_model(base)
    copy.set_weights(base.get_weights())
    for layer in copy.layers:
        layer.trainable = fine_tune and layer.name in LAST_STAGE
    x = layers.Flatten(name="head_flatten")(copy.get_layer(FEATURES).output)
    x = layers.Dropout(HEAD_DROPOUT, name="head_dropout")(x)
    outputs = layers.Dense(num_classes, name="head_logits")(x)
    return keras.Model(copy.inputs[0], outputs, name="transfer")
