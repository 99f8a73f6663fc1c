"""Training the lecture's LSTM forecaster (core.models.lstm) on the airline passengers,
live as a job; the forecast it makes, in passengers, beside the actual months."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np

from core.data.airline import load_series, windows
from core.models.lstm import TRAIN_SHARE, LSTMConfig, build
from core.training.jobs import Job, JobManager, JobStopped


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
