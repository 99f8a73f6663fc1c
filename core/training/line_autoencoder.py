"""Training the lecture's line autoencoder (core.inference.anomaly) into the store."""

from __future__ import annotations

import math
import time

import keras
import numpy as np

from core import store
from core.inference.anomaly import DATASET, MODEL, SEED, TRAIN_SIZE, losses, points, test_sets
from core.models import zoo
from core.training import keras_loop
from core.training.jobs import Job, JobManager


def train(config: zoo.TrainConfig | None = None, job: Job | None = None) -> store.Card:
    """Train the lecture's autoencoder on 10,000 clean points and save it to the store."""
    spec = zoo.spec(MODEL)
    config = config or spec.train
    keras.utils.set_random_seed(config.seed)
    train_points = points(TRAIN_SIZE, np.random.default_rng(SEED))
    model = spec.build((2,), 0)
    steps = math.ceil(TRAIN_SIZE / config.batch_size)
    keras_loop.compile_model(model, config, False, steps)
    if job is not None:
        job.publish(progress=0.0, message="starting", epochs=config.epochs)
    started = time.monotonic()
    sets = test_sets()
    model.fit(train_points, train_points, batch_size=config.batch_size, epochs=config.epochs,
              verbose=0, shuffle=True, validation_data=(sets.clean, sets.clean),
              callbacks=[keras_loop.JobProgress(job, steps * config.epochs, config.epochs)])
    seconds = time.monotonic() - started
    means = {name: float(values.mean()) for name, values in losses(model, sets).items()}
    card = store.new_card(MODEL, DATASET, spec.title, config, test_accuracy=None,
                          test_loss=means["clean"], train_seconds=seconds,
                          epochs=config.epochs, metrics={"mean_loss": means})
    if job is not None:
        job.check()
    return store.save(model, card)


def submit(manager: JobManager, config: zoo.TrainConfig | None = None) -> Job:
    """Queue the training as a job (one at a time)."""
    return manager.submit("Train the lecture's autoencoder on f(x) = 2x",
                          lambda job: train(config, job),
                          key=keras_loop.training_key(MODEL, DATASET))
