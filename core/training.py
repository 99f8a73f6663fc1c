"""Training loops around `model.fit` that publish progress to a job and can be stopped."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable

import keras
import numpy as np

from core import data, denoise, noise, store, zoo
from core.jobs import Job, JobManager
from core.zoo import TrainConfig

OPTIMIZERS: dict[str, Callable[..., keras.optimizers.Optimizer]] = {
    "adam": keras.optimizers.Adam,
    "rmsprop": keras.optimizers.RMSprop,
    "adadelta": keras.optimizers.Adadelta,
    "sgd": keras.optimizers.SGD,
    "sgd_momentum": functools.partial(keras.optimizers.SGD, momentum=0.9),
}
# Validation during training uses a slice of the test set, so the live curve is cheap;
# the accuracy on the card is always measured on the full test set.
LIVE_VALIDATION_SAMPLES = 2000
PUBLISH_EVERY_S = 0.25


class Batches(keras.utils.PyDataset):
    """Shuffled batches with the recipe's augmentation: random shifts, then random noise.

    What each batch asks of the model (`target`): "labels" for a classifier, "clean" for a
    denoiser (the shifted clean image), "guided" for a denoiser with a guide (both, by the
    names of the guided trainer's outputs).
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, config: TrainConfig,
                 target: str = "labels") -> None:
        super().__init__()
        self.images, self.labels, self.config, self.target = images, labels, config, target
        self.rng = np.random.default_rng(config.seed)
        self.order = self.rng.permutation(len(images))

    def __len__(self) -> int:
        return math.ceil(len(self.images) / self.config.batch_size)

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(len(self.images))

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray | dict]:
        size = self.config.batch_size
        ids = self.order[index * size : (index + 1) * size]
        clean = self.images[ids]
        if self.config.shift_pixels:
            clean = random_shift(clean, self.config.shift_pixels, self.rng)
        if self.config.mirror:
            flips = self.rng.random(len(clean)) < 0.5
            clean = np.where(flips[:, None, None, None], clean[:, :, ::-1], clean)
        inputs = (noise.random_noise(clean, self.rng, skew=self.config.level_skew)
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


def training_data(dataset: str, config: TrainConfig) -> tuple[np.ndarray, ...]:
    """Return (x_train, y_train, x_test, y_test, number of classes), the training split cut
    to the recipe's `train_samples`."""
    loaded = data.load(dataset)
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


def guided_trainer(name: str, denoiser: keras.Model, config: TrainConfig,
                   dataset: str) -> keras.Model:
    """Wrap a denoiser with its frozen guide for training: outputs "clean" (the denoised
    image) and "class" (the guide's reading of it). Only the denoiser is saved."""
    try:
        classifier = store.load(config.guide, dataset).model
    except store.ModelMissing as error:
        raise store.ModelMissing(f"{error} The {name} denoiser learns with {config.guide} "
                                 f"reading its output: train {config.guide} first.") from error
    classifier.trainable = False
    inputs = keras.Input(shape=denoiser.inputs[0].shape[1:], name="noisy")
    clean = denoiser(inputs)
    return keras.Model(inputs, {"clean": clean, "class": classifier(clean, training=False)},
                       name=f"{name}_guided")


def train_model(name: str, dataset: str = "mnist", config: TrainConfig | None = None,
                *, quick: bool = False, job: Job | None = None) -> store.Card:
    """Train a zoo model, measure it on the test set and save it to the store.

    A classifier's card gets its accuracy on the full test set; a denoiser's gets PSNR
    and SSIM before and after denoising (core.denoise.quality). `quick` uses the spec's
    short first-launch recipe. Raises JobStopped (nothing saved) when the job is stopped.
    """
    spec = zoo.spec(name)
    if spec.task == "anomaly":  # it learns points of a line, not a dataset
        from core import anomaly  # (anomaly builds on this module)

        return anomaly.train(config, job)
    config = config or spec.recipe(quick)
    denoiser = spec.task == "denoiser"
    keras.utils.set_random_seed(config.seed)
    x_train, y_train, x_test, y_test, classes = training_data(dataset, config)
    model = spec.build(x_train.shape[1:], classes)
    trainer = guided_trainer(name, model, config, dataset) if config.guide else model
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    compile_model(trainer, config, spec.outputs_logits, steps_per_epoch)
    if job is not None:
        job.publish(progress=0.0, message="starting", epochs=config.epochs,
                    steps_per_epoch=steps_per_epoch)
    target = ("guided" if config.guide else "clean") if denoiser else "labels"
    clean, labels = x_test[:LIVE_VALIDATION_SAMPLES], y_test[:LIVE_VALIDATION_SAMPLES]
    # A denoiser's validation images get fixed noise: the live curve moves only when it does.
    noisy = (noise.random_noise(clean, np.random.default_rng(config.seed), skew=config.level_skew)
             if denoiser else clean)
    validation = (noisy, targets(target, clean, labels))
    started = time.monotonic()
    trainer.fit(
        Batches(x_train, y_train, config, target), epochs=config.epochs,
        verbose=0, validation_data=validation,
        callbacks=[JobProgress(job, steps_per_epoch * config.epochs, config.epochs)],
    )
    train_seconds = time.monotonic() - started
    if job is not None:
        job.check()
        job.publish(progress=0.96, message="measuring it on the test set")
    if denoiser:
        def restore(images: np.ndarray) -> np.ndarray:
            return np.clip(model.predict(images, batch_size=500, verbose=0), 0.0, 1.0)

        pixel_loss = keras.losses.get(config.loss)(clean, restore(noisy))
        loss, accuracy = float(np.mean(pixel_loss)), math.nan
        metrics = denoise.quality(restore, x_test)
    else:
        loss, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
        metrics = {}
    card = store.new_card(name, dataset, spec.title, config, test_accuracy=accuracy,
                          test_loss=loss, train_seconds=train_seconds, epochs=config.epochs,
                          quick=quick, metrics=metrics)
    if job is not None:
        job.check()
        job.publish(progress=0.99, message="saving to the model store",
                    test_accuracy=float(accuracy))
    return store.save(model, card)


def training_key(name: str, dataset: str) -> str:
    """Return the prefix of the job keys for training one model (pages list jobs by it)."""
    return f"train:{dataset}:{name}"


def submit_training(manager: JobManager, name: str, dataset: str = "mnist", *,
                    quick: bool = False) -> Job:
    """Queue the training of a zoo model as a job (one per model and recipe at a time).

    A denoiser whose guide is not in the store has the guide's training queued first,
    and waits for it.
    """
    recipe = "quick" if quick else "full"
    guide = zoo.spec(name).recipe(quick).guide
    first = (submit_training(manager, guide, dataset)
             if guide and store.read_card(guide, dataset) is None else None)

    def work(job: Job) -> store.Card:
        while first is not None and not manager.wait(first, timeout=0.5):
            job.check()
            job.publish(message=f"waiting for {guide} to finish training")
        return train_model(name, dataset, quick=quick, job=job)

    return manager.submit(f"Train {name} on {dataset} ({recipe} recipe)", work,
                          key=f"{training_key(name, dataset)}:{recipe}")


def ensure_default_models(manager: JobManager, dataset: str = "mnist") -> list[Job]:
    """Queue whatever first launch needs: quick models first, the best model, then upgrades.

    Models already in the store are left alone; a quick model is retrained with its full
    recipe once everything else is there.
    """
    queued = []
    for name in zoo.BOOTSTRAP:
        card = store.read_card(name, dataset)
        if card is None:
            queued.append(submit_training(manager, name, dataset,
                                          quick=zoo.spec(name).quick is not None))
    for name in zoo.BOOTSTRAP:
        card = store.read_card(name, dataset)
        if (card is None and zoo.spec(name).quick is not None) or (card and card.quick):
            queued.append(submit_training(manager, name, dataset))
    return queued
