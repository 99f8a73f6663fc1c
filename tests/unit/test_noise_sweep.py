"""The sweep: every level measured, cached by the exact model files, readable as CSV."""

from __future__ import annotations

import math

import pytest

from core.data import datasets
from core.inference import predict
from core.training import noise_sweep
from core.training.jobs import JobManager, JobState


@pytest.fixture
def sweep(use_trained) -> noise_sweep.Sweep:
    return noise_sweep.Sweep("mnist", "gaussian", "cnn_report", "ae_unet", samples=300)


def test_a_sweep_job_measures_every_level_and_caches_the_result(sweep):
    assert noise_sweep.cached(sweep) is None
    manager = JobManager(max_concurrent=1)
    job = noise_sweep.submit(manager, sweep)
    assert manager.wait(job, timeout=120) and job.state is JobState.DONE, job.error
    rows = job.result
    assert [row["level"] for row in rows] == list(noise_sweep.LEVELS)
    loaded = datasets.load("mnist")
    clean = predict.load_classifier("cnn_report").accuracy(loaded.images("test")[:300],
                                                           loaded.labels("test")[:300])
    assert rows[0]["accuracy_noisy"] == pytest.approx(clean)
    assert rows[-1]["accuracy_denoised"] > rows[-1]["accuracy_noisy"]
    assert rows[-1]["psnr_denoised"] > rows[-1]["psnr_noisy"]
    assert all(math.isnan(row["accuracy_noise_trained"]) for row in rows)  # not trained here
    assert noise_sweep.cached(sweep) == [pytest.approx(row, rel=1e-5, nan_ok=True)
                                         for row in rows]
    assert job.latest["rows"] == rows  # published as it went


def test_csv_round_trip_and_header(sweep):
    rows = [{key: 0.5 for key in noise_sweep.COLUMNS} | {"level": level}
            for level in noise_sweep.LEVELS]
    text = noise_sweep.to_csv(rows)
    assert text.splitlines()[0] == ",".join(noise_sweep.COLUMNS)
    assert noise_sweep.from_csv(text) == rows
    with pytest.raises(ValueError):
        noise_sweep.from_csv(noise_sweep.to_csv(rows[:3]))


def test_the_cache_key_follows_the_models_and_settings(sweep):
    other_noise = noise_sweep.Sweep("mnist", "salt_pepper", "cnn_report", "ae_unet", samples=300)
    assert sweep.path() != other_noise.path()
    assert sweep.path() == noise_sweep.Sweep(**sweep.__dict__).path()


def test_a_damaged_cache_file_is_run_again_not_trusted(sweep):
    sweep.path().write_text("level,accuracy_noisy\nnot a number")
    assert noise_sweep.cached(sweep) is None
