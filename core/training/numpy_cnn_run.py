"""The NumPy CNN (core.scratch.numpy_cnn) trained on MNIST as a background job, scored
on the test set after every cycle; its weights and curve kept for the page after a restart."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from core import settings
from core.data import datasets
from core.scratch import numpy_cnn
from core.scratch.numpy_cnn import Adam, NumpyCNN, NumpyCNNConfig
from core.training.jobs import Job, JobManager

GRADIENT_CHECK_SAMPLES = 4
DEFAULT_CONFIG = NumpyCNNConfig()


def gradient_check() -> dict[str, float]:
    """The hand-written gradients against finite differences on the first test digits."""
    mnist = datasets.load("mnist")
    return numpy_cnn.gradient_check(mnist.images("test")[:GRADIENT_CHECK_SAMPLES],
                                    mnist.labels("test")[:GRADIENT_CHECK_SAMPLES])


@dataclass
class TrainingRun:
    """What a finished (or stopped) run leaves behind: the curve and the final score."""

    config: dict
    cycles: list[int] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)  # on eval_samples test images
    loss: list[float] = field(default_factory=list)  # mean training loss of the cycle
    seconds: list[float] = field(default_factory=list)  # elapsed training time
    test_accuracy: float | None = None  # on all 10,000 test images, at the end
    finished_at: float | None = None

    def seconds_to(self, accuracy: float) -> float | None:
        """Training time until the curve first reached `accuracy` (None: it never did)."""
        return next((seconds for seconds, reached in zip(self.seconds, self.accuracy,
                                                         strict=True) if reached >= accuracy),
                    None)


def train(config: NumpyCNNConfig = DEFAULT_CONFIG,
          job: Job | None = None) -> tuple[NumpyCNN, TrainingRun]:
    """Train on MNIST for config.cycles cycles, scoring test accuracy after each.

    `job` receives progress and can pause or stop the run between batches.
    """
    mnist = datasets.load("mnist")
    images, labels = mnist.images("train"), mnist.labels("train")
    test_images, test_labels = mnist.images("test"), mnist.labels("test")
    rng = np.random.default_rng(config.seed)
    scored = rng.choice(len(test_labels), size=config.eval_samples, replace=False)
    network = NumpyCNN(config)
    optimizer = Adam(network.params, config.learning_rate)
    run = TrainingRun(config=asdict(config))
    order, position, started = rng.permutation(len(labels)), 0, time.perf_counter()
    for cycle in range(1, config.cycles + 1):
        losses = []
        for _ in range(config.batches_per_cycle):
            if job is not None:
                job.check()
            if position + config.batch_size > len(order):
                order, position = rng.permutation(len(labels)), 0
            batch = order[position : position + config.batch_size]
            position += config.batch_size
            loss, grads = network.loss_and_gradients(images[batch], labels[batch])
            optimizer.step(network.params, grads)
            losses.append(loss)
        run.cycles.append(cycle)
        run.loss.append(float(np.mean(losses)))
        run.accuracy.append(network.accuracy(test_images[scored], test_labels[scored]))
        run.seconds.append(time.perf_counter() - started)
        if job is not None:
            job.publish(cycle / config.cycles, f"cycle {cycle} of {config.cycles}",
                        cycle=cycle, accuracy=run.accuracy[-1], loss=run.loss[-1])
    run.test_accuracy = network.accuracy(test_images, test_labels)
    run.finished_at = time.time()
    return network, run


def weights_path() -> Path:
    return settings.models_dir() / "mnist" / "numpy_cnn.npz"


def run_path() -> Path:
    return settings.models_dir() / "mnist" / "numpy_cnn.json"


def save_run(network: NumpyCNN, run: TrainingRun) -> None:
    """Keep the trained weights and the curve so the page shows them after a restart."""
    weights_path().parent.mkdir(parents=True, exist_ok=True)
    network.save(weights_path())
    temporary = run_path().with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(run)))
    os.replace(temporary, run_path())


def last_run() -> tuple[NumpyCNN, TrainingRun] | None:
    """Return the last finished run and its network, or None (also for damaged files)."""
    try:
        run = TrainingRun(**json.loads(run_path().read_text()))
        config = NumpyCNNConfig(**{**run.config, "filters": tuple(run.config["filters"])})
        return NumpyCNN.load(weights_path(), config), run
    except (OSError, ValueError, TypeError, KeyError):
        return None


JOB_KEY = "numpy_cnn:mnist"


def submit(manager: JobManager, config: NumpyCNNConfig = DEFAULT_CONFIG) -> Job:
    """Queue a training run as a background job (one at a time); return the job."""

    def work(job: Job) -> TrainingRun:
        network, run = train(config, job=job)
        save_run(network, run)
        job.publish(test_accuracy=run.test_accuracy)
        return run

    return manager.submit("CNN in plain NumPy", work, key=JOB_KEY)
