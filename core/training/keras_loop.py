"""The pieces every Keras training here shares: the recipe's batches (shifted, mirrored,
noisy), the compile step with its optimizer and schedule, and a callback that publishes
progress to a job and obeys its stop and pause buttons."""

from __future__ import annotations

import contextlib
import functools
import math
import queue
import threading
import time
from collections.abc import Callable

import keras
import numpy as np

from core.data import datasets, distortions, noise
from core.models import zoo
from core.models.zoo import TrainConfig
from core.training.jobs import Job

OPTIMIZERS: dict[str, Callable[..., keras.optimizers.Optimizer]] = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "adadelta": keras.optimizers.Adadelta,
    "sgd": keras.optimizers.SGD,
    "sgd_momentum": functools.partial(keras.optimizers.SGD, momentum=0.9),
}
PUBLISH_EVERY_S = 0.25
DRAWING_THREADS = 2  # Keras's enqueuer threads that draw the batches (see Batches)


class Batches(keras.utils.PyDataset):
    """Shuffled batches with the recipe's augmentation: other writers' styles, random shifts,
    then random noise.

    What each batch asks of the model (`target`): "labels" for a classifier, "clean" for a
    denoiser (the shifted clean image), "guided" for a denoiser with a guide (both, by the
    names of the guided trainer's outputs).

    Keras's own threads draw the batches (`workers`), so each batch has its own random
    generator, seeded by (seed, epoch, index): the same recipe gives the same batches in
    whichever thread and order they are drawn. Without those threads Keras draws them in a
    tf.data prefetch thread, and a fit stopped mid-epoch leaves that thread's iterator in a
    reference cycle whose collection blocked the collecting thread about 9 s
    (bench.stopped_fit).
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, config: TrainConfig,
                 target: str = "labels") -> None:
        super().__init__(workers=DRAWING_THREADS)
        self.images, self.labels, self.config, self.target = images, labels, config, target
        self.epoch = 0
        self.order = self.shuffled()

    def __len__(self) -> int:
        return math.ceil(len(self.images) / self.config.batch_size)

    def shuffled(self) -> np.ndarray:
        return np.random.default_rng((self.config.seed, self.epoch)).permutation(len(self.images))

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self.order = self.shuffled()

    def settling(self) -> bool:
        """Whether these are the recipe's clean final epochs. Keras draws a first batch to
        learn their shapes, then calls on_epoch_end before training: epochs count from 1."""
        final = self.config.clean_final_epochs
        return bool(final) and self.epoch > self.config.epochs - final

    def __enter__(self) -> Batches:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        """Let go the Keras threads still drawing these batches. Keras stops them at an
        epoch's end only: after a fit stopped mid-epoch they would wait forever to queue one
        more batch (6 threads per stopped fit)."""
        for thread in threading.enumerate():
            enqueuer = getattr(getattr(thread, "_target", None), "__self__", None)
            if getattr(enqueuer, "py_dataset", None) is not self:
                continue
            enqueuer.stop(drain_queue_and_join=False)  # it queues nothing more...
            with contextlib.suppress(queue.Empty):  # ...once its waiting put goes through
                while True:
                    enqueuer.future_queue.get_nowait()

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray | dict]:
        size = self.config.batch_size
        rng = np.random.default_rng((self.config.seed, self.epoch, index))
        ids = self.order[index * size : (index + 1) * size]
        clean = self.images[ids]
        if self.config.distort and not self.settling():
            clean = distortions.augment(clean, self.labels[ids], rng, self.config.distort,
                                        reach=self.config.elastic_reach)
        if self.config.shift_pixels:
            clean = random_shift(clean, self.config.shift_pixels, rng)
        if self.config.mirror:
            flips = rng.random(len(clean)) < 0.5
            clean = np.where(flips[:, None, None, None], clean[:, :, ::-1], clean)
        inputs = (noise.random_noise(clean, rng, skew=self.config.level_skew)
                  if self.config.noisy_inputs else clean)
        return inputs, targets(self.target, clean, self.labels[ids])


def targets(target: str, clean: np.ndarray, labels: np.ndarray) -> np.ndarray | dict:
    """Return what a model is asked for on a batch (see Batches)."""
    if target == "clean":
        return clean
    if target == "guided":
        return {"clean": clean, "class": labels}
    return labels


def random_shift(images: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Translate each image (n, H, W, C) by a random whole number of pixels in [-m, m]."""
    m = max_shift
    n, height, width = images.shape[:3]
    padded = np.pad(images, ((0, 0), (m, m), (m, m), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (height, width), axis=(1, 2))
    rows, cols = rng.integers(0, 2 * m + 1, n), rng.integers(0, 2 * m + 1, n)
    # windows: (n, 2m+1, 2m+1, C, H, W) -> pick one window per image, back to (H, W, C).
    return np.moveaxis(windows[np.arange(n), rows, cols], 1, -1)


class JobProgress(keras.callbacks.Callback):
    """Publishes batch and epoch metrics to a job and honours its stop/pause buttons."""

    def __init__(self, job: Job | None, total_steps: int, epochs: int) -> None:
        super().__init__()
        self.job, self.total_steps, self.epochs = job, total_steps, epochs
        self.step, self.epoch, self.last_publish = 0, 0, 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.step += 1
        if self.job is None:
            return
        self.job.check()
        now = time.monotonic()
        if now - self.last_publish >= PUBLISH_EVERY_S:
            self.last_publish = now
            logs = logs or {}
            self.job.publish(
                progress=0.95 * self.step / self.total_steps,
                message=f"epoch {self.epoch + 1} of {self.epochs}",
                step=self.step, loss=float(logs.get("loss", math.nan)),
                accuracy=float(logs.get("accuracy", math.nan)),
            )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.job is not None:
            logs = logs or {}
            self.job.publish(epoch=epoch + 1, step=self.step,
                             val_accuracy=float(logs.get("val_accuracy", math.nan)),
                             val_loss=float(logs.get("val_loss", math.nan)))


class TimeBudget(keras.callbacks.Callback):
    """Stops training once it has run `seconds` (None: never), mid-epoch if need be."""

    def __init__(self, seconds: float | None) -> None:
        super().__init__()
        self.seconds, self.started = seconds, 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.started = time.monotonic()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.seconds is not None and time.monotonic() - self.started >= self.seconds:
            self.model.stop_training = True


def training_data(dataset: str, config: TrainConfig) -> tuple[np.ndarray, ...]:
    """Return (x_train, y_train, x_test, y_test, number of classes), the training split cut
    to the recipe's `train_samples`."""
    loaded = datasets.load(dataset)
    x_train, y_train = loaded.images("train"), loaded.labels("train")
    if config.train_samples:
        x_train, y_train = x_train[: config.train_samples], y_train[: config.train_samples]
    return (x_train, y_train, loaded.images("test"), loaded.labels("test"),
            len(loaded.info.class_names))


def compile_model(model: keras.Model, config: TrainConfig, outputs_logits: bool,
                  steps_per_epoch: int) -> None:
    """Compile a model with the recipe's loss, optimizer and learning-rate schedule."""
    if config.optimizer not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {config.optimizer!r}; choose one of "
                         f"{', '.join(OPTIMIZERS)}.")
    learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = config.learning_rate
    if config.cosine_schedule:
        total = steps_per_epoch * config.epochs
        learning_rate = keras.optimizers.schedules.CosineDecay(
            config.learning_rate / 10, decay_steps=max(1, total - steps_per_epoch),
            warmup_target=config.learning_rate, warmup_steps=steps_per_epoch,
        )
    optimizer = OPTIMIZERS[config.optimizer](learning_rate=learning_rate)
    if config.guide:
        reading = keras.losses.SparseCategoricalCrossentropy(
            from_logits=zoo.spec(config.guide).outputs_logits)
        model.compile(optimizer=optimizer, loss={"clean": config.loss, "class": reading},
                      loss_weights={"clean": 1.0, "class": config.guide_weight})
    elif config.loss == "crossentropy":
        model.compile(optimizer=optimizer, metrics=["accuracy"],
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=outputs_logits))
    else:
        model.compile(optimizer=optimizer, loss=config.loss)


def training_key(name: str, dataset: str) -> str:
    """Return the prefix of the job keys for training one model (pages list jobs by it)."""
    return f"train:{dataset}:{name}"
