"""The lecture's LSTM forecaster on the monthly airline passengers, 1949-1960.

Kept to the lecture's recipe where it matters for comparing RMSE: the series scaled to
[0, 1] over all 144 months, the first 67 % for training, windows of `look_back` months
predicting the next one, Adam on mean squared error. The stateful variant carries the
LSTM's state from one window to the next within an epoch (batch 1, no shuffling) and
resets it between epochs.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from keras import layers

from core.jobs import Job, JobManager, JobStopped

SERIES = Path(__file__).resolve().parents[1] / "assets" / "airline-passengers.csv"
TRAIN_SHARE = 0.67
# The lecture's (train, test) RMSE in passengers (thousands), after 500 epochs.
LECTURE_RMSE = {"stateless": (20.06, 53.28), "stateful": (19.50, 48.75)}


def load_series(path: Path = SERIES) -> tuple[list[str], np.ndarray]:
    """Return the months ('1949-01', ...) and the passengers (thousands) as float32."""
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    if not rows:
        raise ValueError(f"{path} holds no months.")
    return [row["Month"] for row in rows], np.array([float(row["Passengers"]) for row in rows],
                                                    dtype=np.float32)


def windows(series: np.ndarray, look_back: int) -> tuple[np.ndarray, np.ndarray]:
    """Every run of `look_back` values (n, look_back) and the value after each (n,)."""
    if not 1 <= look_back < len(series):
        raise ValueError(f"look_back must be between 1 and {len(series) - 1}.")
    inputs = np.lib.stride_tricks.sliding_window_view(series[:-1], look_back)
    return inputs.copy(), series[look_back:].copy()


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


@dataclass
class Forecast:
    """A trained forecaster's predictions, in passengers, placed on the months they predict."""

    config: LSTMConfig
    months: list[str]
    actual: np.ndarray
    train_predicted: np.ndarray  # NaN where there is no train prediction
    test_predicted: np.ndarray  # NaN where there is no test prediction
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def train_rmse(self) -> float:
        return _rmse(self.actual, self.train_predicted)

    @property
    def test_rmse(self) -> float:
        return _rmse(self.actual, self.test_predicted)


def _rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    known = ~np.isnan(predicted)
    return float(np.sqrt(np.mean((actual[known] - predicted[known]) ** 2)))


def build(config: LSTMConfig) -> keras.Model:
    """One LSTM layer and a Dense(1): the lecture's network."""
    if config.stateful:
        inputs = keras.Input(batch_shape=(1, config.look_back, 1), name="months")
    else:
        inputs = keras.Input(shape=(config.look_back, 1), name="months")
    x = layers.LSTM(config.hidden, stateful=config.stateful, name="lstm")(inputs)
    return keras.Model(inputs, layers.Dense(1, name="next_month")(x), name="lstm_airline")


def _reset(model: keras.Model) -> None:
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_state()


def train(config: LSTMConfig, on_epoch: Callable[[int, float], bool] | None = None,
          months_and_series: tuple[list[str], np.ndarray] | None = None) -> Forecast:
    """Train the forecaster. `on_epoch(epoch, loss)` is called after every epoch; returning
    False stops training there (what was learnt is kept and measured)."""
    months, series = months_and_series or load_series()
    level = np.log(series) if config.log_scale else series
    low, high = float(level.min()), float(level.max())
    scaled = (level - low) / (high - low)
    split = int(len(series) * TRAIN_SHARE)
    train_x, train_y = windows(scaled[:split], config.look_back)
    test_x, test_y = windows(scaled[split:], config.look_back)
    keras.utils.set_random_seed(config.seed)
    model = build(config)
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="mse")
    batch = 1 if config.stateful else config.batch_size
    losses: list[float] = []
    started = time.monotonic()
    for epoch in range(config.epochs):
        history = model.fit(train_x[..., None], train_y, batch_size=batch, epochs=1,
                            shuffle=not config.stateful, verbose=0)
        _reset(model)
        losses.append(float(history.history["loss"][-1]))
        if on_epoch is not None and on_epoch(epoch + 1, losses[-1]) is False:
            break
    seconds = time.monotonic() - started
    # The stateful network reads the test months with the state the train months left.
    train_out = model.predict(train_x[..., None], batch_size=batch, verbose=0)[:, 0]
    test_out = model.predict(test_x[..., None], batch_size=batch, verbose=0)[:, 0]
    train_predicted = np.full(len(series), np.nan, dtype=np.float32)
    test_predicted = np.full(len(series), np.nan, dtype=np.float32)
    train_predicted[config.look_back: split] = train_out * (high - low) + low
    test_predicted[split + config.look_back:] = test_out * (high - low) + low
    if config.log_scale:
        train_predicted, test_predicted = np.exp(train_predicted), np.exp(test_predicted)
    return Forecast(config, months, series, train_predicted, test_predicted, losses, seconds)



def submit(manager: JobManager, config: LSTMConfig) -> Job:
    """Train a forecaster as a job; stop ends training early and keeps what was learnt."""

    def work(job: Job) -> Forecast:
        def on_epoch(epoch: int, loss: float) -> bool:
            job.publish(progress=0.97 * epoch / config.epochs,
                        message=f"epoch {epoch} of {config.epochs}", epoch=epoch, loss=loss)
            try:
                job.check()  # blocks while paused
            except JobStopped:
                return False
            return True

        return train(config, on_epoch)

    kind = "stateful" if config.stateful else "stateless"
    return manager.submit(f"LSTM ({kind}, look-back {config.look_back}, {config.epochs} epochs)",
                          work, key=f"lstm:{config}")
