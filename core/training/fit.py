"""Training a zoo model into the store: its recipe, measured on the full test set, as a
job that can be stopped; and what first launch queues."""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, replace

import keras
import numpy as np

from core import settings, store
from core.data import detector_images, noise
from core.inference import denoise, novelty, predict
from core.models import zoo
from core.models.zoo import TrainConfig
from core.training import adversarial, cluster, line_autoencoder
from core.training.jobs import Job, JobManager
from core.training.keras_loop import (
    Batches,
    JobProgress,
    TimeBudget,
    compile_model,
    targets,
    training_data,
    training_key,
)

# Validation during training uses a slice of the test set, so the live curve is cheap;
# the accuracy on the card is always measured on the full test set.
LIVE_VALIDATION_SAMPLES = 2000


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


@dataclass(frozen=True)
class CardReader:
    """The classifier that reads a denoiser's restored images for its card."""

    name: str
    model: keras.Model

    def read(self, images: np.ndarray) -> np.ndarray:
        return np.argmax(self.model.predict(images, batch_size=1000, verbose=0), axis=1)


def card_reader(dataset: str) -> CardReader | None:
    """The most accurate stored classifier trained on clean images, or None."""
    card = predict.best_card(dataset, zoo.CLEAN_CLASSIFIERS)
    return CardReader(card.name, store.load(card.name, dataset).model) if card else None


def train_model(name: str, dataset: str = "mnist", config: TrainConfig | None = None,
                *, quick: bool = False, job: Job | None = None) -> store.Card:
    """Train a zoo model, measure it on the test set and save it to the store.

    A classifier's card gets its accuracy on the full test set; a denoiser's gets PSNR
    and SSIM before and after denoising (core.inference.denoise.quality). `quick` uses the spec's
    short first-launch recipe, and measures what only a quick model's card needs on fewer
    images. Raises JobStopped (nothing saved) when the job is stopped.
    """
    spec = zoo.spec(name)
    if spec.task == "anomaly":  # it learns points of a line, not a dataset
        return line_autoencoder.train(config, job)
    config = config or (first_launch_recipe(spec) if quick else spec.train)
    denoiser = spec.task == "denoiser"
    keras.utils.set_random_seed(config.seed)
    x_train, y_train, x_test, y_test, classes = training_data(dataset, config)
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    with cluster.scope():
        model = spec.builder(quick)(x_train.shape[1:], classes)
        trainer = (guided_trainer(name, model, config, dataset) if config.guide
                   else adversarial.AdversarialTrainer(model, config, spec.outputs_logits)
                   if config.adversarial_epsilon else model)
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
    progress = JobProgress(job, steps_per_epoch * config.epochs, config.epochs)
    with Batches(x_train, y_train, config, target) as batches:
        history = cluster.fit(trainer, batches, epochs=config.epochs, verbose=0,
                              validation_data=validation,
                              callbacks=[progress, TimeBudget(config.time_budget_s)])
    train_seconds = time.monotonic() - started
    # A quick recipe its time budget stopped early: how far it got.
    stopped = ({"stopped_early": {"steps": progress.step, "steps_per_epoch": steps_per_epoch}}
               if progress.step < steps_per_epoch * config.epochs else {})
    if job is not None:
        job.check()
        job.publish(progress=0.96, message="measuring it on the test set")
    if denoiser:
        def restore(images: np.ndarray) -> np.ndarray:
            return np.clip(model.predict(images, batch_size=500, verbose=0), 0.0, 1.0)

        # The pixel loss on the validation images, as the last validation measured it (a
        # guided denoiser's own loss adds the guide's): restoring them again took 10 s of one core.
        pixel_loss = history.history["val_clean_loss" if config.guide else "val_loss"][-1]
        loss, accuracy = float(np.mean(pixel_loss)), None
        reader = card_reader(dataset)
        samples = denoise.QUICK_QUALITY_SAMPLES if quick else denoise.QUALITY_SAMPLES
        metrics = denoise.quality(restore, x_test, samples, labels=y_test,
                                  read=reader.read if reader else None)
        metrics |= {"reader": reader.name} if reader else {}
    else:
        loss, accuracy = trainer.evaluate(x_test, y_test, batch_size=1000, verbose=0)
        every = novelty.QUICK_EVERY if quick else novelty.EVERY
        metrics = ({"novelty": novelty.fit_for(model, dataset, spec.outputs_logits,
                                               every).as_dict()}
                   if dataset in detector_images.DATASETS else {})
    card = store.new_card(name, dataset, spec.title, config, test_accuracy=accuracy,
                          test_loss=loss, train_seconds=train_seconds, epochs=config.epochs,
                          quick=quick, metrics=metrics | stopped)
    if job is not None:
        job.check()
        job.publish(progress=0.99, message="saving to the model store")
    return store.save(model, card)


def first_launch_recipe(spec: zoo.ModelSpec) -> TrainConfig:
    """A model's quick recipe (its full one where it has none), with the time budget that
    NEURAL_CANVAS_QUICK_SECONDS sets instead of its own."""
    config = spec.recipe(quick=True)
    seconds = settings.quick_seconds()
    return replace(config, time_budget_s=seconds) if spec.quick and seconds else config


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
        card = train_model(name, dataset, quick=quick, job=job)
        if name in zoo.CLASSIFIERS:
            # Loaded while this job still holds the training slot: a page that loads it
            # beside the next job's training shares the cores and the GIL with that job's
            # augmentation threads (the first CNN took 5-6 s to load instead of 1 s).
            job.publish(message="loading it for the pages")
            with contextlib.suppress(store.StoreError):  # the page says why, if it is so
                predict.load_classifier(name, dataset)
        return card

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
