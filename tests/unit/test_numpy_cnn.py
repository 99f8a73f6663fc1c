"""The from-scratch NumPy CNN: hand-written gradients against finite differences, and that
it really learns MNIST."""

from __future__ import annotations

import numpy as np

from core.scratch import numpy_cnn
from core.training import numpy_cnn_run
from core.training.jobs import JobManager, JobState

SMALL = numpy_cnn.NumpyCNNConfig(cycles=6, batches_per_cycle=30, eval_samples=500)


def test_hand_written_gradients_match_finite_differences():
    errors = numpy_cnn_run.gradient_check()
    assert set(errors) == {"conv1", "conv2", "dense1", "bias1", "dense2", "bias2"}
    assert max(errors.values()) < 1e-4, errors


def test_pool_backward_is_the_adjoint_of_pool_forward():
    """<pool(x), g> changes with x exactly as <x', pool_backward(g)> says it does."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 7, 7, 3))
    pooled, winner = numpy_cnn._pool_forward(x)
    assert pooled.shape == (2, 3, 3, 3)
    grad = rng.standard_normal(pooled.shape)
    back = numpy_cnn._pool_backward(grad, winner, x.shape)
    assert np.isclose((pooled * grad).sum(), (x * back).sum())
    assert np.all(back[:, 6, :, :] == 0) and np.all(back[:, :, 6, :] == 0)  # the dropped edge


def test_col2im_is_the_adjoint_of_im2col():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 6, 5, 3))
    patches = numpy_cnn._im2col(x)
    other = rng.standard_normal(patches.shape)
    assert np.isclose((patches * other).sum(), (x * numpy_cnn._col2im(other, x.shape)).sum())


def test_a_few_cycles_already_read_most_digits():
    network, run = numpy_cnn_run.train(SMALL)
    assert run.cycles == list(range(1, 7))
    assert run.loss[-1] < run.loss[0]
    assert run.accuracy[-1] > 0.9 and run.test_accuracy > 0.9
    assert run.seconds == sorted(run.seconds)


def test_training_as_a_job_saves_a_run_the_page_can_reload(nc_home):
    manager = JobManager()
    job = numpy_cnn_run.submit(manager, SMALL)
    assert manager.wait(job, timeout=120) and job.state is JobState.DONE
    assert job.latest["cycle"] == 6 and job.latest["test_accuracy"] > 0.9
    network, run = numpy_cnn_run.last_run()
    assert run.test_accuracy == job.result.test_accuracy
    images = np.zeros((3, 28, 28), np.float32)
    assert network.probabilities(images).shape == (3, 10)


def test_a_stopped_job_saves_nothing(nc_home):
    manager = JobManager()
    job = numpy_cnn_run.submit(manager, numpy_cnn.NumpyCNNConfig(cycles=1000))
    while "cycle" not in job.latest:
        manager.wait(job, timeout=0.2)
    job.stop()
    assert manager.wait(job, timeout=30) and job.state is JobState.STOPPED
    assert numpy_cnn_run.last_run() is None


def test_damaged_run_files_read_as_no_run(nc_home):
    numpy_cnn_run.run_path().parent.mkdir(parents=True)
    numpy_cnn_run.run_path().write_text("{not json")
    assert numpy_cnn_run.last_run() is None
