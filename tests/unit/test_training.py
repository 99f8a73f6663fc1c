"""Training on real MNIST raises accuracy, publishes progress, and can be stopped."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest

from core import settings, store
from core.inference import denoise, predict, warm
from core.models import zoo
from core.models.zoo import TrainConfig
from core.training import fit, keras_loop
from core.training.jobs import JobManager, JobState


def test_training_raises_accuracy_and_saves_a_card(nc_home):
    manager = JobManager(max_concurrent=1)
    config = TrainConfig(optimizer="rmsprop", epochs=1, train_samples=6000)
    job = manager.submit("mlp", lambda job: fit.train_model("mlp", config=config,
                                                                     job=job))
    assert manager.wait(job, timeout=120), job.message
    assert job.state is JobState.DONE, job.error
    card = store.read_card("mlp", "mnist")
    assert card.test_accuracy > 0.85  # an untrained network scores about 0.10
    assert card.config["train_samples"] == 6000 and card.epochs == 1
    assert job.latest["epoch"] == 1 and job.latest["val_accuracy"] > 0.8
    assert len(job.events) >= 2


def test_a_time_budget_stops_training_mid_epoch_and_the_card_says_how_far_it_got(nc_home):
    """First launch's quick recipes stop on a time budget: on a slow host the model arrives
    as soon as on a fast one, with less learnt, and says so."""
    config = TrainConfig(optimizer="rmsprop", epochs=2, train_samples=6000, time_budget_s=0.0)
    card = fit.train_model("mlp", config=config, quick=True)
    assert card.metrics["stopped_early"] == {"steps": 1, "steps_per_epoch": 47}
    assert denoise.trained_for(card) == "2 % of an epoch"
    assert 0.0 < card.test_accuracy < 1.0  # measured on the test set all the same
    assert store.read_card("mlp", "mnist").metrics["stopped_early"]["steps"] == 1
    unlimited = fit.train_model("mlp", config=TrainConfig(optimizer="rmsprop", epochs=1,
                                                          train_samples=6000))
    assert "stopped_early" not in unlimited.metrics and denoise.trained_for(unlimited) == "1 epoch"


def test_a_stopped_training_leaves_the_store_untouched(nc_home):
    manager = JobManager(max_concurrent=1)
    job = manager.submit("cnn", lambda job: fit.train_model(
        "cnn_report", config=TrainConfig(epochs=3), job=job))
    while job.latest.get("step", 0) < 5:
        assert not job.state.finished, job.error
        time.sleep(0.01)
    job.stop()
    assert manager.wait(job, timeout=30)
    assert job.state is JobState.STOPPED
    assert store.cards() == []


def test_a_guided_denoiser_asks_for_its_guide_first(nc_home):
    config = TrainConfig(epochs=1, train_samples=500, loss="binary_crossentropy",
                         noisy_inputs=True, guide="cnn_report", guide_weight=0.3)
    with pytest.raises(store.ModelMissing, match="train cnn_report first"):
        fit.train_model("ae_unet", config=config)
    assert store.cards() == []


def test_training_a_guided_denoiser_queues_its_guide_first_and_waits(nc_home):
    manager = JobManager(max_concurrent=2)
    denoiser = fit.submit_training(manager, "ae_unet")
    guide = manager.find(f"{keras_loop.training_key('cnn_best', 'mnist')}:full")
    assert guide is not None and guide.id < denoiser.id
    deadline = time.monotonic() + 30
    while "waiting for cnn_best" not in denoiser.message:
        assert time.monotonic() < deadline, denoiser.message
        time.sleep(0.05)
    guide.stop()
    assert manager.wait(denoiser, timeout=60)
    assert denoiser.state is JobState.FAILED and "train cnn_best first" in denoiser.error


def test_batches_are_the_same_whichever_thread_draws_them_in_whichever_order():
    """Keras's threads draw the batches (why: bench.stopped_fit); a recipe still gives the
    same batches."""
    config = TrainConfig(distort=0.5, shift_pixels=2, noisy_inputs=True, train_samples=1000)
    x_train, y_train, *_ = keras_loop.training_data("mnist", config)
    first, second = (keras_loop.Batches(x_train, y_train, config) for _ in range(2))
    with ThreadPoolExecutor(2) as pool:
        drawn = list(pool.map(first.__getitem__, [5, 1, 5]))
    for batch in (drawn[0], drawn[2], second[5]):
        np.testing.assert_array_equal(batch[0], second[5][0])
        np.testing.assert_array_equal(batch[1], second[5][1])
    assert not np.array_equal(drawn[1][0], second[5][0])
    first.on_epoch_end()
    assert not np.array_equal(first[5][1], second[5][1])  # a new epoch, a new order


def test_the_clean_final_epochs_train_on_the_digits_as_written():
    """cnn_best's last epochs skip the redrawing. Which epochs those are rests on Keras
    calling on_epoch_end once before training (Batches.settling): pinned here."""
    config = TrainConfig(epochs=3, distort=0.5, clean_final_epochs=1, train_samples=512)
    x_train, y_train, *_, classes = keras_loop.training_data("mnist", config)
    drawn: list[tuple[int, int]] = []

    class Watched(keras_loop.Batches):
        def __getitem__(self, index: int):
            drawn.append((self.epoch, index))
            return super().__getitem__(index)

    spec = zoo.spec("mlp")
    model = spec.build(x_train.shape[1:], classes)
    with Watched(x_train, y_train, config) as batches:
        keras_loop.compile_model(model, config, spec.outputs_logits, len(batches))
        model.fit(batches, epochs=config.epochs, verbose=0)
    trained_on = {epoch for epoch, index in drawn if index == len(batches) - 1}
    assert trained_on == {1, 2, 3}  # every batch of each epoch drawn, counted from 1
    settling = []
    for epoch in (1, 2, 3):
        batches.epoch = epoch
        settling.append(batches.settling())
    assert settling == [False, False, True]
    as_written = x_train[batches.order[: config.batch_size]]
    np.testing.assert_array_equal(batches[0][0], as_written)  # epoch 3: not redrawn
    batches.epoch = 2
    batches.order = batches.shuffled()
    assert not np.array_equal(batches[0][0], x_train[batches.order[: config.batch_size]])


def test_a_fit_stopped_mid_epoch_leaves_no_thread_behind():
    """Keras stops the threads drawing batches at an epoch's end only; Batches lets them go
    when a fit stops mid-epoch (they once waited forever, 6 per stopped fit)."""
    config = TrainConfig(optimizer="rmsprop", epochs=2, distort=0.5, time_budget_s=0.3)
    x_train, y_train, *_, classes = keras_loop.training_data("mnist", config)
    spec = zoo.spec("mlp")
    before = set(threading.enumerate())
    model = spec.build(x_train.shape[1:], classes)
    with keras_loop.Batches(x_train, y_train, config) as batches:
        keras_loop.compile_model(model, config, spec.outputs_logits, len(batches))
        progress = keras_loop.JobProgress(None, config.epochs * len(batches), config.epochs)
        model.fit(batches, epochs=config.epochs, verbose=0,
                  callbacks=[progress, keras_loop.TimeBudget(config.time_budget_s)])
        assert progress.step < len(batches)  # stopped mid-epoch
        assert set(threading.enumerate()) > before  # Keras's threads still drawing
    deadline = time.monotonic() + 30
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(threading.enumerate()) - before


def test_random_shift_moves_whole_images_within_bounds():
    rng = np.random.default_rng(0)
    images = np.zeros((50, 28, 28, 1), np.float32)
    images[:, 10:18, 10:18] = 1.0
    shifted = keras_loop.random_shift(images, 2, rng)
    assert shifted.shape == images.shape
    assert np.allclose(shifted.sum(axis=(1, 2, 3)), 64.0)  # nothing falls off the edge
    offsets = {tuple(np.argwhere(s[..., 0])[0] - 10) for s in shifted}
    assert len(offsets) > 5 and all(abs(r) <= 2 and abs(c) <= 2 for r, c in offsets)


def test_quick_seconds_sets_first_launch_budgets_and_nothing_else(monkeypatch):
    """NEURAL_CANVAS_QUICK_SECONDS replaces each quick recipe's own budget (12 s, 20 s or
    60 s); full recipes and models without a quick one train whole."""
    quick, best = zoo.spec("ae_unet"), zoo.spec("cnn_best")
    assert fit.first_launch_recipe(quick) == quick.quick and quick.quick.time_budget_s == 60
    monkeypatch.setenv(settings.QUICK_SECONDS_ENV, "300")
    assert fit.first_launch_recipe(quick) == replace(quick.quick, time_budget_s=300)
    assert fit.first_launch_recipe(best) == best.train and best.train.time_budget_s is None
    for unreadable in ("soon", ""):
        monkeypatch.setenv(settings.QUICK_SECONDS_ENV, unreadable)
        assert settings.quick_seconds() is None and fit.first_launch_recipe(quick) == quick.quick


def test_first_launch_queues_quick_models_and_a_denoiser_then_the_best_then_upgrades(nc_home):
    manager = JobManager(max_concurrent=1)
    manager.max_concurrent = 0  # queue only: nothing may start in this test
    titles = [job.title for job in fit.ensure_default_models(manager)]
    assert titles == [
        "Train cnn_report on mnist (quick recipe)", "Train mlp_augmented on mnist (quick recipe)",
        "Train ae_unet on mnist (quick recipe)", "Train cnn_best on mnist (full recipe)",
        "Train cnn_report on mnist (full recipe)", "Train mlp_augmented on mnist (full recipe)",
        "Train ae_unet on mnist (full recipe)",
    ]


def test_a_trained_classifier_is_loaded_before_its_job_ends_and_loaded_once(nc_home,
                                                                            monkeypatch):
    """The Draw page finds the first CNN ready the moment it lands, instead of loading it
    beside the next job's training; threads asking at once share one build."""
    monkeypatch.setenv(settings.QUICK_SECONDS_ENV, "2")
    manager = JobManager()
    job = fit.submit_training(manager, "cnn_report", quick=True)
    assert manager.wait(job, timeout=180) and job.state is JobState.DONE, job.error
    with monkeypatch.context() as patched:
        patched.setattr(store, "load", lambda *_: pytest.fail("loaded again"))
        assert predict.load_classifier("cnn_report").card.quick

    builds = []

    def slow_wrap(stored: store.StoredModel) -> store.StoredModel:
        builds.append(stored.card.name)
        time.sleep(0.5)
        return stored

    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: warm.load("cnn_report", "mnist", slow_wrap), range(4)))
    assert builds == ["cnn_report"] and all(model is found[0] for model in found)
