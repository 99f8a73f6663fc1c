"""The lecture's LSTM forecaster for the airline passengers: its network and its recipe.

Kept to the lecture's recipe where it matters for comparing RMSE: the series scaled to
[0, 1] over all 144 months, the first 67 % for training, windows of `look_back` months
predicting the next one, Adam on mean squared error. The stateful variant carries the
LSTM's state from one window to the next within an epoch (batch 1, no shuffling) and
resets it between epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers

TRAIN_SHARE = 0.67
# The lecture's (train, test) RMSE in passengers (thousands), after 500 epochs.
LECTURE_RMSE = {"stateless": (20.06, 53.28), "stateful": (19.50, 48.75)}


@dataclass(frozen=True)
class LSTMConfig:
    look_back: int = 12
    stateful: bool = False
    hidden: int = 32
    epochs: int = 150
    batch_size: int = 4  # the stateful variant always uses 1
    learning_rate: float = 1e-3
    # Work on the logarithm of the passengers: the seasonal swing grows with the level,
    # its logarithm's does not, so the test years look like the training years.
    log_scale: bool = True
    seed: int = 7


def build(config: LSTMConfig) -> keras.Model:
    """One LSTM layer and a Dense(1): the lecture's network."""
    if config.stateful:
        inputs = keras.Input(batch_shape=(1, config.look_back, 1), name="months")
    else:
        inputs = keras.Input(shape=(config.look_back, 1), name="months")
    x = layers.LSTM(config.hidden, stateful=config.stateful, name="lstm")(inputs)
    return keras.Model(inputs, layers.Dense(1, name="next_month")(x), name="lstm_airline")
