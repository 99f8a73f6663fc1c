"""One training run of a generative model, stepped live by a job and steerable from a page.

The run owns its networks, optimizers and everything a page draws: the loss history,
snapshots of a fixed-noise sample grid, and the judge's verdicts over time. The worker
thread calls `train`; a page changes `controls` (steps of D per step of G, slow
motion, learning rates, label smoothing) and, while the job is paused, asks for
single steps with `request`. A run saves to and resumes from one `.npz` of weights,
optimizer state and history (no pickle), and lands its generator in the store.

GAN samples are drawn by an exponential moving average of the generator's weights:
the same network, visibly steadier digits from the first minute on.
"""

from __future__ import annotations

import json
import math
import os
import queue
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from core import settings, store
from core.data import datasets, image_grid
from core.inference import sample_quality
from core.models import generative
from core.training import gan_steps
from core.training.jobs import Job, JobState

HISTORY_EVERY_S = 0.5
SNAPSHOT_EVERY_S = 2.0
QUALITY_EVERY_S = 15.0
MAX_SNAPSHOTS = 240  # thinned by half when full, so a long run keeps its whole story
QUALITY_SEED = 1234
STEPS = ("d", "g", "both")


@dataclass
class Controls:
    """What a lecturer may change while the run trains; read by the worker between steps."""

    d_steps: int = 1  # discriminator steps per generator step
    delay_s: float = 0.0  # slow motion: a pause after every step
    lr_generator: float = 2e-4
    lr_discriminator: float = 2e-4
    label_smoothing: float = 0.0


class Run:
    """A generative model in training (see the module docstring)."""

    def __init__(self, name: str, dataset: str = "mnist", seed: int = 0) -> None:
        self.spec = spec = generative.spec(name)
        self.name, self.dataset, self.seed = name, dataset, seed
        keras.utils.set_random_seed(seed)
        self.generator, self.critic = spec.build(spec.latent_dim)
        self.controls = Controls(lr_generator=spec.lr_generator,
                                 lr_discriminator=spec.lr_discriminator,
                                 label_smoothing=spec.label_smoothing)
        self._g_opt = keras.optimizers.Adam(spec.lr_generator, beta_1=spec.beta_1)
        self._d_opt = keras.optimizers.Adam(spec.lr_discriminator, beta_1=spec.beta_1)
        self._smoothing = tf.Variable(spec.label_smoothing, trainable=False, dtype=tf.float32)
        train = datasets.load(dataset)
        images = train.images("train")
        self._images = tf.constant(images * 2.0 - 1.0 if spec.tanh_output else images)
        self._labels = tf.constant(train.labels("train"))
        self.average = None
        if spec.kind != "vae":
            self.average = keras.models.clone_model(self.generator)
            self.average.set_weights(self.generator.get_weights())
        self.grid_columns = 10 if spec.kind == "conditional" else 8
        self.fixed_z = generative.random_z(8 * self.grid_columns, spec.latent_dim, seed)
        self.g_steps = self.d_steps = 0
        self.seconds = 0.0  # training time, pauses and slow-motion waits not counted
        self.history: list[dict] = []  # d_loss, g_loss, d_real, d_fake (GAN) or loss, kl (VAE)
        self.snapshots: list[tuple[int, float, np.ndarray]] = []  # (step, seconds, uint8 grid)
        self.quality: list[dict] = []
        self._requests: queue.Queue[str] = queue.Queue()
        self._save_asked = threading.Event()
        self.saved_step: int | None = None  # the generator step of the last save to disk
        self.stored: store.Card | None = None  # the version of the last save to the store
        self._sums: dict[str, list[float]] = {}  # metric -> [total, count] since the last entry
        self._build_steps()

    # -- the training steps ---------------------------------------------------------------

    def _build_steps(self) -> None:
        if self.spec.kind == "vae":
            self._vae_step = gan_steps.vae_step(self.spec, self.generator, self.critic,
                                                self._images, self._g_opt)
        else:
            self._d_step, self._g_step = gan_steps.gan_steps(
                self.spec, (self.generator, self.critic, self.average),
                (self._images, self._labels), (self._g_opt, self._d_opt), self._smoothing)

    def step(self, what: str = "both") -> None:
        """Train once: "d" one discriminator step, "g" one generator step, "both" the
        controls' number of discriminator steps and then a generator step (a VAE has one
        kind of step, whatever is asked)."""
        if what not in STEPS:
            raise ValueError(f"Unknown step {what!r}; one of {', '.join(STEPS)}")
        self._apply_controls()
        if self.spec.kind == "vae":
            loss, kl = self._vae_step()
            self.g_steps += 1
            self._accumulate(loss=float(loss), kl=float(kl))
            return
        metrics: dict[str, float] = {}
        if what in ("d", "both"):
            for _ in range(self.controls.d_steps if what == "both" else 1):
                d_loss, d_real, d_fake = self._d_step()
                self.d_steps += 1
            metrics |= {"d_loss": float(d_loss), "d_real": float(d_real), "d_fake": float(d_fake)}
        if what in ("g", "both"):
            g_loss, d_fake = self._g_step()
            self.g_steps += 1
            metrics |= {"g_loss": float(g_loss), "d_fake": float(d_fake)}
        self._accumulate(**metrics)

    def _apply_controls(self) -> None:
        c = self.controls
        self._smoothing.assign(c.label_smoothing)
        self._g_opt.learning_rate = c.lr_generator
        self._d_opt.learning_rate = c.lr_discriminator

    def _accumulate(self, **metrics: float) -> None:
        for key, value in metrics.items():
            total = self._sums.setdefault(key, [0.0, 0])
            total[0] += value
            total[1] += 1

    def _flush_history(self) -> None:
        if not self._sums:
            return
        means = {key: total / count for key, (total, count) in self._sums.items()}
        self.history.append({"step": self.g_steps, "seconds": round(self.seconds, 3), **means})
        self._sums = {}

    # -- what a page shows ----------------------------------------------------------------

    def generate(self, count: int, seed: int | None = None,
                 digits: np.ndarray | None = None) -> np.ndarray:
        """Return `count` new samples (count, 28, 28) in [0, 1]; a conditional GAN draws
        `digits` (by default 0-9 in turn)."""
        return self.draw(generative.random_z(count, self.spec.latent_dim, seed), digits)

    def draw(self, z: np.ndarray, digits: np.ndarray | None = None) -> np.ndarray:
        """Return the images (n, 28, 28) in [0, 1] for latent vectors z (n, latent_dim)."""
        generator = self.generator if self.average is None else self.average
        return generative.draw(generator, self.spec, z, digits)

    def grid(self) -> np.ndarray:
        """Return the fixed-noise sample grid now: (rows * columns, 28, 28) uint8."""
        return image_grid.to_uint8(self.draw(self.fixed_z))

    def request(self, what: str) -> None:
        """Ask the paused run for one step (see `step`), done by the worker thread."""
        if what not in STEPS:
            raise ValueError(f"Unknown step {what!r}")
        self._requests.put(what)

    def ask_save(self) -> None:
        """Ask the worker to checkpoint at its next step (safe from any thread)."""
        self._save_asked.set()

    # -- the loop a job runs ----------------------------------------------------------------

    def train(self, job: Job | None = None, seconds: float | None = None,
              judge: sample_quality.Judge | None = None, steps: int | None = None) -> None:
        """Train for `seconds` more of training time or `steps` more generator steps, whichever
        ends first (neither: until stopped), recording history, snapshots and the judge's
        verdicts; a stopped job ends the loop cleanly. Steps measure the same learning on any
        host; seconds, what a host learns in a lecture's minutes."""
        end = self.seconds + seconds if seconds else math.inf
        last_step = self.g_steps + steps if steps else math.inf
        next_history = next_snapshot = next_quality = self.seconds
        if not self.snapshots:
            self._snapshot()
        last = time.perf_counter()
        while self.seconds < end and self.g_steps < last_step and not (
                job and job.stop_requested):
            if self._save_asked.is_set():
                self._save_asked.clear()
                self.checkpoint()
            if job is not None and job.state is JobState.PAUSED:
                self._serve_request()
                last = time.perf_counter()
                continue
            self.step("both")
            now = time.perf_counter()
            self.seconds += now - last
            last = now
            if self.seconds >= next_history:
                self._flush_history()
                next_history = self.seconds + HISTORY_EVERY_S
                if job is not None:
                    self._publish(job, end, last_step)
            if self.seconds >= next_snapshot:
                self._snapshot()
                next_snapshot = self.seconds + SNAPSHOT_EVERY_S
            if judge is not None and self.seconds >= next_quality:
                self.judge(judge)
                next_quality = self.seconds + QUALITY_EVERY_S
            if self.controls.delay_s > 0:
                time.sleep(self.controls.delay_s)
                last = time.perf_counter()
        self._flush_history()
        self._snapshot()
        if judge is not None:
            self.judge(judge)
        if job is not None:
            self._publish(job, end, last_step)

    def _serve_request(self) -> None:
        try:
            what = self._requests.get(timeout=0.1)
        except queue.Empty:
            return
        self.step(what)
        self._flush_history()
        self._snapshot()

    def _snapshot(self) -> None:
        if self.snapshots and self.snapshots[-1][0] == self.g_steps and self.g_steps:
            return
        self.snapshots.append((self.g_steps, round(self.seconds, 2), self.grid()))
        if len(self.snapshots) > MAX_SNAPSHOTS:
            self.snapshots = self.snapshots[::2] + ([self.snapshots[-1]]
                                                    if len(self.snapshots) % 2 == 0 else [])

    def judge(self, judge: sample_quality.Judge) -> dict:
        """Measure 1,000 fresh samples with the judge and add the verdict to the record."""
        count = sample_quality.SAMPLES
        digits = generative.cycling_digits(count)
        samples = self.generate(count, QUALITY_SEED + self.g_steps, digits)
        asked = digits if self.spec.kind == "conditional" else None
        verdict = {"step": self.g_steps, "seconds": round(self.seconds, 2),
                   **judge.measure(samples, asked).as_dict()}
        self.quality.append(verdict)
        return verdict

    def _publish(self, job: Job, end: float, last_step: float) -> None:
        rate = self.g_steps / self.seconds if self.seconds else 0.0
        progress = max(self.seconds / end, self.g_steps / last_step)  # x / inf is 0
        latest = self.history[-1] if self.history else {}
        job.publish(progress, f"step {self.g_steps:,} · {rate:.1f} steps/s", **latest)

    # -- saving and resuming ------------------------------------------------------------------

    def save(self, path: Path | None = None) -> Path:
        """Write the whole run (weights, optimizer state, history, snapshots) atomically."""
        path = path or run_path(self.name, self.dataset)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for part, values in self._state().items():
            for index, value in enumerate(values):
                arrays[f"{part}.{index}"] = np.asarray(value)
        if self.snapshots:
            arrays["snapshots"] = np.stack([grid for _, _, grid in self.snapshots])
        meta = {"name": self.name, "dataset": self.dataset, "seed": self.seed,
                "g_steps": self.g_steps, "d_steps": self.d_steps, "seconds": self.seconds,
                "controls": asdict(self.controls), "history": self.history,
                "quality": self.quality, "snapshot_times": [s[:2] for s in self.snapshots]}
        arrays["meta"] = np.array(json.dumps(meta))
        arrays["fixed_z"] = self.fixed_z
        partial = path.with_name(f".{path.name}.partial.npz")
        np.savez(partial, **arrays)
        os.replace(partial, path)
        self.saved_step = self.g_steps
        return path

    @classmethod
    def resume(cls, name: str, dataset: str = "mnist", path: Path | None = None) -> Run:
        """Rebuild a saved run exactly as it was saved (raises ValueError if it cannot)."""
        path = path or run_path(name, dataset)
        try:
            with np.load(path, allow_pickle=False) as saved:
                arrays = {key: saved[key] for key in saved.files}
            meta = json.loads(str(arrays.pop("meta")))
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(f"The saved {name} run could not be read ({error}).") from error
        run = cls(meta["name"], meta["dataset"], meta["seed"])
        run._build_optimizers()
        try:
            for part, variables in run._variables().items():
                for index, variable in enumerate(variables):
                    variable.assign(arrays[f"{part}.{index}"])
        except (KeyError, ValueError) as error:  # its networks are not today's
            raise ValueError(f"The saved {name} run was trained with an older recipe of "
                             "this model and cannot be continued: start fresh.") from error
        run.fixed_z = arrays["fixed_z"]
        run.g_steps, run.d_steps, run.seconds = meta["g_steps"], meta["d_steps"], meta["seconds"]
        run.controls = Controls(**meta["controls"])
        run.history, run.quality = meta["history"], meta["quality"]
        grids = arrays.get("snapshots", np.zeros((0,)))
        times = meta["snapshot_times"]
        run.snapshots = [(int(step), float(seconds), grid)
                         for (step, seconds), grid in zip(times, grids, strict=True)]
        return run

    def _build_optimizers(self) -> None:
        trainable = self.generator.trainable_variables
        if self.spec.kind == "vae":
            trainable = self.critic.trainable_variables + trainable
        else:
            self._d_opt.build(self.critic.trainable_variables)
        self._g_opt.build(trainable)

    def _variables(self) -> dict[str, list]:
        parts = {"generator": self.generator.weights, "critic": self.critic.weights,
                 "g_opt": self._g_opt.variables}
        if self.average is not None:
            parts |= {"average": self.average.weights, "d_opt": self._d_opt.variables}
        return parts

    def _state(self) -> dict[str, list[np.ndarray]]:
        if not self._g_opt.built:
            self._build_optimizers()
        return {part: [v.numpy() for v in variables]
                for part, variables in self._variables().items()}

    def checkpoint(self) -> store.Card:
        """Save the run (to continue it later) and put its generator in the store."""
        self.save()
        return self.to_store()

    def to_store(self) -> store.Card:
        """Save the generator (the averaged one for a GAN; encoder and decoder together for
        the VAE) with its card in the model store as a new version, and return its card (in
        use unless it measures worse than the one in use)."""
        if self.spec.kind == "vae":
            image = keras.Input(generative.IMAGE_SHAPE, name="image")
            model = keras.Model(image, self.generator(self.critic(image)[0]), name="vae")
        else:
            model = self.average
        last = self.quality[-1] if self.quality else {}
        card = store.new_card(
            self.name, self.dataset, self.spec.title,
            {"kind": self.spec.kind, "latent_dim": self.spec.latent_dim,
             "batch_size": self.spec.batch_size, **asdict(self.controls), "seed": self.seed},
            test_accuracy=last.get("confident", 0.0), test_loss=0.0,
            train_seconds=self.seconds,
            epochs=int(self.g_steps * self.spec.batch_size / len(self._images)),
            metrics={"generator_steps": self.g_steps, "quality": last},
        )
        self.stored = store.save(model, card)
        return self.stored


def run_path(name: str, dataset: str) -> Path:
    """Return where a saved run lives: $NEURAL_CANVAS_HOME/gan_runs/<dataset>/<name>.npz."""
    return settings.home_dir() / "gan_runs" / dataset / f"{name}.npz"
