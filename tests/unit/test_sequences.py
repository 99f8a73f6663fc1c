"""The airline series, the LSTM's windows and a short real training."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import airline
from core.models import lstm
from core.training import forecast
from core.training.jobs import JobManager


def test_the_series_is_the_lectures_144_months():
    months, passengers = airline.load_series()
    assert len(months) == 144 and months[0] == "1949-01" and months[-1] == "1960-12"
    assert passengers[:3].tolist() == [112, 118, 132] and passengers.max() == 622
    assert passengers.mean() == pytest.approx(280.3, abs=0.05)  # R's AirPassengers


def test_windows_are_the_lectures_table():
    inputs, targets = airline.windows(np.array([1, 7, 3, 5, 2, 15, 12, 6, 3.0]), 3)
    assert inputs[:2].tolist() == [[1, 7, 3], [7, 3, 5]]
    assert targets.tolist() == [5, 2, 15, 12, 6, 3]
    assert len(inputs) == len(targets)
    with pytest.raises(ValueError, match="look_back"):
        airline.windows(np.arange(5.0), 5)


@pytest.mark.parametrize("stateful", [False, True])
def test_a_short_training_forecasts_both_parts(stateful):
    config = lstm.LSTMConfig(look_back=4, hidden=4, epochs=3, stateful=stateful)
    result = forecast.train(config)
    split = int(144 * lstm.TRAIN_SHARE)
    assert np.isnan(result.train_predicted[:4]).all()
    assert not np.isnan(result.train_predicted[4:split]).any()
    assert np.isnan(result.test_predicted[: split + 4]).all()
    assert not np.isnan(result.test_predicted[split + 4:]).any()
    assert len(result.losses) == 3 and 0 < result.test_rmse < 600


def test_a_stopped_job_keeps_what_was_learnt():
    manager = JobManager(max_concurrent=1)
    job = forecast.submit(manager, lstm.LSTMConfig(hidden=4, epochs=400))
    while job.latest.get("epoch", 0) < 2:
        pass
    job.stop()
    assert manager.wait(job, timeout=60)
    assert job.result is not None and len(job.result.losses) < 400
