"""Learning per CPU-second: `cnn_best` as it was before the speed work (32/64 filters, 8
epochs of batch 256) and as it is today, trained one after the other in this process on
this host, and `dcgan_fast` after three minutes; where a `cnn_best` step's time goes. Hosts
differ fourfold in speed, so the figure is the ratio of the two runs, not either time.

Training here leaves the store alone; the GAN trains in a temporary home, judged by the
`cnn_best` just trained. Ends with one JSON line.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from bench.common import home_restored, write
from bench.gan import TRAIN_S, trained_and_scored
from core import settings, store
from core.models import zoo
from core.models.zoo import TrainConfig
from core.training.fit import LIVE_VALIDATION_SAMPLES
from core.training.keras_loop import Batches, compile_model, training_data

# cnn_best before the speed work: 693 s to 99.58 % on the host.
BEFORE = (functools.partial(zoo.build_cnn_best, widths=(32, 64)),
          TrainConfig(learning_rate=4e-3, batch_size=256, epochs=8, shift_pixels=2,
                      cosine_schedule=True, distort=0.5))
GOALS = {"cnn_best_time_ratio": 0.5, "cnn_best_accuracy": 0.995, "gan_confident": 0.75,
         "gan_min_class": 0.07, "gan_inception_score": 8.0}
PROFILED_STEPS = 10
Network = Callable[[tuple[int, ...], int], keras.Model]


def compiled(build: Network, config: TrainConfig
             ) -> tuple[keras.Model, Batches, tuple[np.ndarray, np.ndarray]]:
    """The network built and compiled with the recipe, its batches and the test set."""
    keras.utils.set_random_seed(config.seed)
    x_train, y_train, x_test, y_test, classes = training_data("mnist", config)
    batches = Batches(x_train, y_train, config)
    model = build(x_train.shape[1:], classes)
    compile_model(model, config, outputs_logits=True, steps_per_epoch=len(batches))
    return model, batches, (x_test, y_test)


def trained(build: Network, config: TrainConfig) -> tuple[dict, keras.Model]:
    """Train a network as core.training.fit does (the recipe's batches, a live validation
    slice); its training time and its accuracy on the full test set, and the model."""
    model, batches, (x_test, y_test) = compiled(build, config)
    started = time.monotonic()
    model.fit(batches, epochs=config.epochs, verbose=0,
              validation_data=(x_test[:LIVE_VALIDATION_SAMPLES],
                               y_test[:LIVE_VALIDATION_SAMPLES]))
    seconds = time.monotonic() - started
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
    return {"epochs": config.epochs, "batch_size": config.batch_size,
            "parameters": model.count_params(), "train_seconds": round(seconds, 1),
            "test_accuracy": round(float(accuracy), 4), "test_loss": float(loss)}, model


def judged_home(root: Path, model: keras.Model, figures: dict, config: TrainConfig) -> Path:
    """A home with this machine's data and `model` stored as cnn_best, the GANs' judge."""
    (root / "data").symlink_to(settings.data_dir(), target_is_directory=True)
    with home_restored():
        os.environ[settings.HOME_ENV] = str(root)
        store.save(model, store.new_card(
            "cnn_best", "mnist", zoo.spec("cnn_best").title, config,
            test_accuracy=figures["test_accuracy"], test_loss=figures["test_loss"],
            train_seconds=figures["train_seconds"], epochs=config.epochs))
    return root


def step_profile(build: Network, config: TrainConfig) -> dict:
    """Milliseconds per batch spent preparing it (augmentation, on the training thread)
    and in the training step itself, over PROFILED_STEPS batches."""
    model, batches, _ = compiled(build, config)
    prepared = [batches[0]]
    started = time.perf_counter()
    prepared += [batches[i] for i in range(1, PROFILED_STEPS + 1)]
    prepare_s = time.perf_counter() - started
    model.train_on_batch(*prepared[0])  # traced once, not timed
    started = time.perf_counter()
    for images, labels in prepared[1:]:
        model.train_on_batch(images, labels)
    step_s = time.perf_counter() - started
    keras.backend.clear_session()
    return {"prepare_ms": round(prepare_s / PROFILED_STEPS * 1000, 1),
            "step_ms": round(step_s / PROFILED_STEPS * 1000, 1),
            "step_ms_per_1000_images": round(step_s / PROFILED_STEPS / config.batch_size * 1e6, 1),
            "steps_per_epoch": len(batches)}


def main() -> dict:
    spec = zoo.spec("cnn_best")
    today = (spec.build, spec.recipe(quick=False))
    started = time.monotonic()
    before, _ = trained(*BEFORE)
    keras.backend.clear_session()
    now, model = trained(*today)
    with tempfile.TemporaryDirectory(prefix="nc-bench-speed-") as root:
        home = judged_home(Path(root), model, now, today[1])
        gan = trained_and_scored(home, "dcgan_fast", TRAIN_S)
    figures = {"cnn_best_time_ratio": round(now["train_seconds"] / before["train_seconds"], 3),
               "cnn_best_accuracy": now["test_accuracy"], "gan_confident": gan["confident"],
               "gan_min_class": gan["min_class_share"],
               "gan_inception_score": gan["inception_score"]}
    result = write("speed", {
        **figures, "goals": GOALS, "cnn_best_before": before, "cnn_best_today": now,
        "profile_before": step_profile(*BEFORE), "profile_today": step_profile(*today),
        "dcgan_fast": gan, "bench_seconds": round(time.monotonic() - started)})
    print(json.dumps(result, indent=2))
    print(json.dumps(figures))
    return result


if __name__ == "__main__":
    main()
