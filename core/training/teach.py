"""Teaching a network new symbols from a class's drawings: transfer from a trained digit
network against learning from scratch, on the same examples for the same time.

Both networks learn side by side in one job, a batch at a time, each on its own clock: the
one that has trained less goes next, so both get the same CPU time and their curves grow
together on the page. Every batch redraws the examples as another hand might
(core.data.distortions), which is what lets a network learn from one drawing a class.
Accuracy is always measured on drawings held out from training.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace

import keras
import numpy as np

from core import store
from core.data import distortions
from core.data.symbol_pool import Pool
from core.inference import novelty
from core.models import symbol_nets
from core.training.jobs import Job, JobManager

DATASET = "symbols"  # where taught networks live in the store
WAYS = {"transfer": f"Transfer from {symbol_nets.BASE}", "scratch": "From scratch"}
PER_CLASS_CHOICES = (1, 2, 5, 10, 0)  # examples per class for the learning curve; 0: all
EVALUATE_EVERY_S = 0.5  # of a network's own training time, between two points of its curve


@dataclass(frozen=True)
class TeachConfig:
    """How the new symbols are learnt; one config trains both ways."""

    seconds: float = 10.0  # training time each way
    fine_tune: bool = False  # let the base's last convolution stage learn too
    per_class: int = 0  # examples of each class to learn from (0: all but the held out)
    held_out_share: float = 0.25  # of each class's examples, kept aside to measure
    batch_size: int = 64
    learning_rate: float = 3e-3
    augment: float = 0.5  # strength of the redrawing (core.data.distortions)
    seed: int = 0


def split(labels: np.ndarray, num_classes: int, config: TeachConfig) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """Return (training, held-out) indices: of each class, a shuffled `held_out_share` (at
    least one) is held out and the first `per_class` of the rest (all when 0) are learnt.
    Raises ValueError when a class has fewer than two examples."""
    rng = np.random.default_rng(config.seed)
    counts = np.bincount(labels, minlength=num_classes)
    if counts.min() < 2:
        raise ValueError("Every class needs at least two examples (one is held out to "
                         f"measure): {int((counts < 2).sum())} class(es) have fewer.")
    train, held_out = [], []
    for label in range(num_classes):
        members = rng.permutation(np.flatnonzero(labels == label))
        kept = max(1, round(config.held_out_share * len(members)))
        held_out.append(members[:kept])
        rest = members[kept:]
        train.append(rest[: config.per_class] if config.per_class else rest)
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held_out))


class Learner:
    """One network learning the examples a batch at a time, keeping its own training clock."""

    def __init__(self, model: keras.Model, images: np.ndarray, labels: np.ndarray,
                 config: TeachConfig) -> None:
        self.model, self.images, self.labels, self.config = model, images, labels, config
        self.rng = np.random.default_rng(config.seed)
        model.compile(keras.optimizers.Adam(config.learning_rate),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        self.seconds, self.steps = 0.0, 0

    def step(self) -> None:
        """Learn one batch of the examples, redrawn at random."""
        start = time.perf_counter()
        picked = self.rng.integers(0, len(self.labels), self.config.batch_size)
        batch = distortions.augment(self.images[picked], np.full(len(picked), -1), self.rng,
                                    strength=self.config.augment, share=0.8)
        self.model.train_on_batch(batch[..., None], self.labels[picked])
        self.seconds += time.perf_counter() - start
        self.steps += 1

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        logits = self.model(images.reshape(-1, 28, 28, 1), training=False)
        return keras.ops.convert_to_numpy(keras.ops.softmax(logits))


@dataclass
class TeachRun:
    """Both networks' training on one set of examples, as the page follows it and keeps it."""

    classes: tuple[str, ...]
    config: TeachConfig
    train_ids: tuple[str, ...]
    held_out: tuple[np.ndarray, np.ndarray]  # images, labels
    counts: list[int]  # training examples per class
    curves: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    models: dict[str, keras.Model] = field(default_factory=dict)
    steps: dict[str, int] = field(default_factory=dict)
    detectors: dict[str, dict] = field(default_factory=dict)
    first_point_s: float | None = None  # from the start to the first point of a curve
    trained: bool = False  # the networks are ready to read (their detectors may follow)

    def accuracy(self, way: str) -> float | None:
        """The way's latest held-out accuracy."""
        curve = self.curves.get(way)
        return curve[-1][1] if curve else None

    def card(self, way: str, name: str) -> store.Card:
        """The store's card for one way's network, named `name`."""
        images, labels = self.held_out
        logits = self.models[way](images.reshape(-1, 28, 28, 1), training=False)
        loss = float(keras.ops.mean(keras.losses.sparse_categorical_crossentropy(
            labels, logits, from_logits=True)))
        examples = sum(self.counts)
        metrics = {"classes": list(self.classes), "way": way, "outputs_logits": True,
                   "examples_per_class": self.counts, "held_out": len(labels),
                   "train_ids": list(self.train_ids), "steps": self.steps[way]}
        if way in self.detectors:
            metrics["novelty"] = self.detectors[way]
        title = f"{', '.join(self.classes)} ({WAYS[way].lower()})"
        return store.new_card(name, DATASET, title, asdict(self.config),
                              test_accuracy=self.accuracy(way) or 0.0, test_loss=loss,
                              train_seconds=self.config.seconds,
                              epochs=math.ceil(self.steps[way] * self.config.batch_size
                                               / max(1, examples)),
                              metrics=metrics)


def base_model() -> keras.Model:
    """The trained digit network whose convolution stages transfer learns from."""
    try:
        return store.load(symbol_nets.BASE, "mnist").model
    except store.StoreError as error:
        raise ValueError(f"Transfer learns from {symbol_nets.BASE}, which is not available "
                         f"({error}). Train it first (Training lab, or `python -m core "
                         f"models train {symbol_nets.BASE}`).") from error


def train(pool: Pool, config: TeachConfig, job: Job | None = None,
          ways: tuple[str, ...] = tuple(WAYS), held_out: tuple[np.ndarray, np.ndarray] | None
          = None, detect: bool = True, span: tuple[float, float] | None = None) -> TeachRun:
    """Train each way on the pool's examples for `config.seconds` of its own time.

    The held-out drawings are split from the pool (`split`) unless given. With `detect`,
    each network then gets its "none of these" detector (core.inference.novelty). The job,
    when given, can stop it (JobStopped) and follows it in `job.live`; or, with `span`, the
    run is that part of the job's progress and leaves `job.live` alone."""
    started = time.perf_counter()
    if held_out is None:
        train_at, held_at = split(pool.labels, len(pool.classes), config)
        held_out = pool.images[held_at], pool.labels[held_at]
    else:
        train_at = split_training(pool.labels, len(pool.classes), config.per_class)
    images, labels = pool.images[train_at], pool.labels[train_at]
    run = TeachRun(pool.classes, config, tuple(pool.ids[i] for i in train_at), held_out,
                   np.bincount(labels, minlength=len(pool.classes)).tolist())
    if job is not None and span is None:
        job.live = run
    low, high = span or (0.0, 1.0)
    learners = {}
    for way in ways:
        model = (symbol_nets.transfer(base_model(), len(pool.classes), config.fine_tune)
                 if way == "transfer" else symbol_nets.from_scratch(len(pool.classes)))
        learners[way] = Learner(model, images, labels, config)
        run.models[way], run.curves[way] = model, []
    measured = dict.fromkeys(ways, 0.0)
    while True:
        way = min(learners, key=lambda w: learners[w].seconds)
        learner = learners[way]
        if learner.seconds >= config.seconds:
            break
        if job is not None:
            job.check()
        learner.step()
        if learner.seconds - measured[way] >= EVALUATE_EVERY_S or (
                learner.seconds >= config.seconds):
            measured[way] = learner.seconds
            accuracy = float((learner.probabilities(held_out[0]).argmax(1)
                              == held_out[1]).mean())
            run.curves[way].append((learner.seconds, accuracy))
            run.steps[way] = learner.steps
            if run.first_point_s is None:
                run.first_point_s = time.perf_counter() - started
            if job is not None:
                done = sum(min(w.seconds, config.seconds) for w in learners.values())
                job.publish(low + (high - low) * done / (config.seconds * len(learners)),
                            f"{WAYS[way]}: {accuracy:.0%} of the held-out drawings",
                            **{f"{way}_accuracy": accuracy})
    run.trained = True
    if detect:
        for way in ways:
            if job is not None:
                job.check()
                job.publish(message=f"{WAYS[way]}: learning what none of these looks like")
            run.detectors[way] = novelty.fit_symbols(run.models[way], images, held_out[0],
                                                     pool.classes).as_dict()
    return run


def split_training(labels: np.ndarray, num_classes: int, per_class: int) -> np.ndarray:
    """The first `per_class` examples of each class (all when 0), for held-out drawings
    given from elsewhere."""
    chosen = [np.flatnonzero(labels == label) for label in range(num_classes)]
    return np.sort(np.concatenate([members[:per_class] if per_class else members
                                   for members in chosen]))


def learning_curve(pool: Pool, config: TeachConfig, job: Job | None = None,
                   held_out: tuple[np.ndarray, np.ndarray] | None = None,
                   ) -> dict[str, list[tuple[int, float]]]:
    """Held-out accuracy of both ways against examples per class (PER_CLASS_CHOICES that
    the pool has), each trained for `config.seconds`; the same drawings are held out for
    every point. `job.live` holds the curves so far."""
    if held_out is None:
        train_at, held_at = split(pool.labels, len(pool.classes), config)
        held_out = pool.images[held_at], pool.labels[held_at]
        pool = Pool(pool.classes, pool.images[train_at], pool.labels[train_at],
                    tuple(pool.ids[i] for i in train_at))
    fewest = min(pool.counts())
    choices = [k for k in PER_CLASS_CHOICES if 0 < k < fewest] + [0]
    curves: dict[str, list[tuple[int, float]]] = {way: [] for way in WAYS}
    if job is not None:
        job.live = curves
    for index, per_class in enumerate(choices):
        span = (index / len(choices), (index + 1) / len(choices))
        run = train(pool, replace(config, per_class=per_class), job, held_out=held_out,
                    detect=False, span=span)
        for way in WAYS:
            curves[way].append((per_class or fewest, run.accuracy(way)))
    return curves


def save(run: TeachRun, way: str, name: str) -> store.Card:
    """Keep one way's network in the store under `name`, with its card."""
    if not name.isidentifier():
        raise ValueError(f"{name!r} cannot name a model: use letters, digits and underscores, "
                         "starting with a letter.")
    return store.save(run.models[way], run.card(way, name), use=True)


def submit(manager: JobManager, pool: Pool, config: TeachConfig) -> Job:
    """Train both ways as a background job (one at a time: the page's button)."""
    return manager.submit(f"Teach {', '.join(pool.classes)}",
                          lambda job: train(pool, config, job), key="teach.train")


def submit_curve(manager: JobManager, pool: Pool, config: TeachConfig) -> Job:
    """Draw the learning curve as a background job."""
    return manager.submit(f"Learning curve of {', '.join(pool.classes)}",
                          lambda job: learning_curve(pool, config, job), key="teach.curve")
