"""The training lab: a classifier from the zoo or from a few choices, trained live as a job.

A run's learning rate can be changed while it trains; its curves (every batch, every
epoch on the full test set), weight histograms and result are kept on disk as one JSON
record per run (`<home>/lab/<id>.json`), and the trained model goes to the store as
`lab_<id>`, where every page and `python -m core evaluate` find it. A race trains the
same network from the same initial weights with several optimizers, one after another.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import keras
import numpy as np

from core import device, settings, store, trash
from core.data import datasets
from core.models.lab_builder import DEFAULT_LEARNING_RATES, OPTIMIZER_TITLES, LabConfig, build
from core.training import cluster, keras_loop
from core.training.jobs import Job, JobManager, JobStopped

HISTOGRAM_BINS = 40
_IDS = threading.Lock()


@dataclass
class LabRun:
    """One run: its configuration, its curves as they grow, and its result.

    The training thread appends; pages read. `learning_rate` is the one thing a page
    writes: the run picks it up before its next batch.
    """

    id: int
    config: LabConfig
    race: int | None = None  # the race it belongs to
    state: str = "queued"  # queued, training, done, stopped, failed
    learning_rate: float = 0.0
    steps_per_epoch: int = 0
    # (position in epochs, that batch's loss, its accuracy, the learning rate it used)
    batches: list[tuple[float, float, float, float]] = field(default_factory=list)
    epochs: list[dict] = field(default_factory=list)  # one row per finished epoch
    # layer name -> one {"epoch", "edges", "counts"} per epoch, the first before training
    histograms: dict[str, list[dict]] = field(default_factory=dict)
    train_seconds: float = 0.0  # training alone: no validation, no pauses
    test_accuracy: float | None = None
    test_loss: float | None = None
    created_at: float = field(default_factory=time.time)
    error: str | None = None

    def __post_init__(self) -> None:
        self.learning_rate = self.learning_rate or self.config.learning_rate

    @property
    def name(self) -> str:
        """The run's model's name in the store."""
        return f"lab_{self.id}"

    @property
    def label(self) -> str:
        """The run in one line: its number, network and recipe."""
        return f"{self.id}: {self.config.title} · {self.config.describe()}"

    @property
    def finished(self) -> bool:
        return self.state in ("done", "stopped", "failed")

    def seconds_to(self, accuracy: float) -> float | None:
        """Training seconds until the test accuracy first reached `accuracy` (epoch ends)."""
        return next((row["seconds"] for row in self.epochs if row["val_accuracy"] >= accuracy),
                    None)

    def record(self) -> dict:
        values = asdict(self)
        values["batches"] = [list(b) for b in thin(self.batches, 2000)]
        return values

    @classmethod
    def from_record(cls, values: dict) -> LabRun:
        values = {**values, "config": LabConfig.from_dict(values["config"]),
                  "batches": [tuple(b) for b in values["batches"]]}
        return cls(**values)


def thin(points: list, most: int) -> list:
    """Every k-th point, so that at most about `most` are left (the last one always kept)."""
    if len(points) <= most:
        return list(points)
    step = math.ceil(len(points) / most)
    return list(points[::step]) + ([points[-1]] if (len(points) - 1) % step else [])


def runs_dir() -> Path:
    folder = settings.home_dir() / "lab"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_run(config: LabConfig) -> LabRun:
    """Give a run the next free number and write its first record."""
    with _IDS:
        taken = (int(path.stem) for path in runs_dir().glob("*.json") if path.stem.isdigit())
        for number in itertools.count(max(taken, default=0) + 1):
            path = runs_dir() / f"{number}.json"
            with contextlib.suppress(FileExistsError):
                path.open("x").close()  # claimed, also against another process
                run = LabRun(number, config)
                save_record(run)
                return run
    raise AssertionError("unreachable")


def save_record(run: LabRun) -> None:
    """Write a run's record atomically."""
    path = runs_dir() / f"{run.id}.json"
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(run.record()))
    os.replace(partial, path)


def read_run(path: Path) -> LabRun | None:
    """A run's record, or None where it is missing or unreadable."""
    try:
        return LabRun.from_record(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def run_by_id(run_id: int) -> LabRun | None:
    return read_run(runs_dir() / f"{run_id}.json")


def runs() -> list[LabRun]:
    """Every run on disk, oldest first; unreadable records are skipped."""
    found = (read_run(path) for path in runs_dir().glob("*.json"))
    return sorted((run for run in found if run is not None), key=lambda run: run.id)


def delete_run(run_id: int) -> trash.Item:
    """Move a run's record and its model (every version) to the trash; return the item."""
    run = run_by_id(run_id)
    model_files = store.files(run.name, run.config.dataset) if run is not None else []
    title = f"Lab run {run_id}" + (f": {run.config.title}" if run is not None else "")
    return trash.discard(title, [runs_dir() / f"{run_id}.json", *model_files])


class LiveCurves(keras.callbacks.Callback):
    """Feeds a run's curves, applies its learning rate, and honours pause and stop."""

    def __init__(self, run: LabRun, job: Job | None, share: tuple[float, float] = (0.0, 1.0)):
        super().__init__()
        self.run, self.job = run, job
        self.share = share  # (start, width) of this run in the job's progress bar
        self.epoch, self.epoch_started, self.paused = 0, 0.0, 0.0
        self.seconds_before = 0.0  # training seconds of the finished epochs
        self.last_publish = 0.0
        self.sums = (0.0, 0.0)  # the epoch's running loss and accuracy sums so far
        self.rate = run.learning_rate  # the one the optimizer was last given

    def learning_rate(self, step: int) -> float:
        total = self.run.steps_per_epoch * self.run.config.epochs
        if not self.run.config.cosine:
            return self.run.learning_rate
        return self.run.learning_rate * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total)))

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.record_histograms(0)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch, self.epoch_started, self.paused = epoch, time.monotonic(), 0.0
        self.sums = (0.0, 0.0)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.rate = self.learning_rate(self.epoch * self.run.steps_per_epoch + batch)
        self.model.optimizer.learning_rate.assign(self.rate)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        # Keras reports the epoch's running means; the batch's own value is the difference.
        loss_sum, accuracy_sum = (logs.get("loss", math.nan) * (batch + 1),
                                  logs.get("accuracy", math.nan) * (batch + 1))
        run = self.run
        run.batches.append((self.epoch + (batch + 1) / run.steps_per_epoch,
                            loss_sum - self.sums[0], accuracy_sum - self.sums[1], self.rate))
        self.sums = (loss_sum, accuracy_sum)
        run.train_seconds = self.seconds_before + time.monotonic() - self.epoch_started \
            - self.paused
        if self.job is not None:
            self.follow_job(batch)

    def follow_job(self, batch: int) -> None:
        if self.job.stop_requested:
            self.model.stop_training = True
            return
        waited = time.monotonic()
        try:
            self.job.check()  # blocks while paused
        except JobStopped:
            self.model.stop_training = True
        self.paused += time.monotonic() - waited
        now = time.monotonic()
        if now - self.last_publish >= keras_loop.PUBLISH_EVERY_S:
            self.last_publish = now
            run = self.run
            done = (self.epoch * run.steps_per_epoch + batch + 1) / (
                run.steps_per_epoch * run.config.epochs)
            start, width = self.share
            self.job.publish(progress=start + 0.97 * width * done,
                             message=f"run {run.id}: epoch {self.epoch + 1} of "
                                     f"{run.config.epochs}")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        run = self.run
        self.seconds_before = run.train_seconds
        if "val_accuracy" in logs:  # a stop mid-epoch skips validation
            run.epochs.append({
                "epoch": epoch + 1, "loss": float(logs["loss"]),
                "accuracy": float(logs["accuracy"]), "val_loss": float(logs["val_loss"]),
                "val_accuracy": float(logs["val_accuracy"]), "seconds": run.train_seconds,
                "learning_rate": self.rate,
            })
        if self.job is not None:
            self.job.publish(val_accuracy=float(logs.get("val_accuracy", math.nan)))
        self.record_histograms(epoch + 1)
        save_record(run)

    def record_histograms(self, epoch: int) -> None:
        for layer in self.model.layers:
            kernel = getattr(layer, "kernel", None)
            if kernel is None:
                continue
            counts, edges = np.histogram(np.asarray(kernel), bins=HISTOGRAM_BINS)
            self.run.histograms.setdefault(layer.name, []).append(
                {"epoch": epoch, "edges": edges.round(5).tolist(), "counts": counts.tolist()})


def train(run: LabRun, job: Job | None = None, *, strategy=None,
          initial_weights: list[np.ndarray] | None = None,
          share: tuple[float, float] = (0.0, 1.0)) -> LabRun:
    """Train a run, measure it on the full test set, put its model in the store as
    `run.name` and write its record. A stop ends training early and keeps what was learnt.

    `strategy` is a tf.distribute strategy (default: the cluster's where this process is one
    of its workers, else core.device.strategy(), which mirrors over several GPUs where there
    are).
    """
    config = run.config
    keras.utils.set_random_seed(config.seed)
    recipe = config.train_config()
    x_train, y_train, x_test, y_test, classes = keras_loop.training_data(config.dataset, recipe)
    run.steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    strategy = strategy or (cluster.strategy() if cluster.in_cluster() else device.strategy())
    with strategy.scope():
        model = build(config, x_train.shape[1:], classes)
        if initial_weights is not None:
            model.set_weights(initial_weights)
        keras_loop.compile_model(model, recipe, config.outputs_logits, run.steps_per_epoch)
    run.state = "training"
    save_record(run)
    with keras_loop.Batches(x_train, y_train, recipe) as batches:
        cluster.fit(model, batches, epochs=config.epochs, verbose=0,
                    validation_data=(x_test, y_test), validation_batch_size=1000,
                    callbacks=[LiveCurves(run, job, share)])
    stopped = job is not None and job.stop_requested
    if not stopped and len(run.epochs) == config.epochs:
        # Its last epoch's validation read the whole test set with these very weights.
        last = run.epochs[-1]
        run.test_loss, run.test_accuracy = last["val_loss"], last["val_accuracy"]
    else:  # a stop mid-epoch skips that epoch's validation (LiveCurves records none)
        if job is not None:
            job.publish(message=f"run {run.id}: measuring it on the test set")
        run.test_loss, run.test_accuracy = (float(v) for v in model.evaluate(
            x_test, y_test, batch_size=1000, verbose=0))
    card = store.new_card(
        run.name, config.dataset, f"Lab run {run.id}: {config.title}", asdict(config),
        test_accuracy=run.test_accuracy, test_loss=run.test_loss,
        train_seconds=run.train_seconds, epochs=len(run.epochs),
        metrics={"outputs_logits": config.outputs_logits, "lab_run": run.id},
    )
    store.save(model, card)
    run.state = "stopped" if stopped else "done"
    save_record(run)
    return run


def submit(manager: JobManager, config: LabConfig) -> Job:
    """Queue a lab run as a job. A lab job's `live` is the list of runs it trains (one, or a
    race's), the very objects the training thread fills in, for pages to draw."""
    run = new_run(config)
    job = manager.submit(f"Lab run {run.id}: {config.title}",
                         lambda job: _guarded(run, lambda: train(run, job)), key=f"lab:{run.id}")
    job.live = [run]
    return job


def current(runs: list[LabRun]) -> LabRun:
    """The run of a job's list that is training (or next), else the last one."""
    return next((run for run in runs if not run.finished), runs[-1])


def submit_race(manager: JobManager, config: LabConfig, optimizers: list[str]) -> Job:
    """Queue a race: `config`'s network from one set of initial weights, trained once per
    optimizer (each with its customary learning rate), one after another."""
    if not optimizers:
        raise ValueError("Pick at least one optimizer to race.")
    members = [new_run(replace(config, optimizer=optimizer,
                               learning_rate=DEFAULT_LEARNING_RATES[optimizer]))
               for optimizer in optimizers]
    race_id = members[0].id  # a race is named by its first run
    for member in members:
        member.race = race_id
        save_record(member)

    def work(job: Job) -> list[LabRun]:
        loaded = datasets.load(config.dataset)
        keras.utils.set_random_seed(config.seed)
        weights = build(config, datasets.to_model_input(loaded.x_test[:1]).shape[1:],
                        len(loaded.info.class_names)).get_weights()
        for index, member in enumerate(members):
            if job.stop_requested:
                member.state = "stopped"
                save_record(member)
                continue
            _guarded(member, lambda m=member, i=index: train(
                m, job, initial_weights=weights, share=(i / len(members), 1 / len(members))))
        return members

    names = ", ".join(OPTIMIZER_TITLES[o] for o in optimizers)
    job = manager.submit(f"Race {race_id}: {config.title} with {names}", work,
                         key=f"lab:race:{race_id}")
    job.live = members
    return job


def _guarded(run: LabRun, train_it):
    """Run the training; on a failure, mark the run failed on disk before the job reports it."""
    try:
        return train_it()
    except Exception as error:
        run.state, run.error = "failed", f"{type(error).__name__}: {error}"
        save_record(run)
        raise
