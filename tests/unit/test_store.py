"""The model store: round trips, atomic writes that survive a killed writer, recovery."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict

import numpy as np
import pytest

from core import settings, store
from core.file_lock import locked
from core.model_quality import quality, replaces
from core.models import zoo
from core.models.zoo import TrainConfig


def save_untrained(name: str = "mlp", accuracy: float = 0.5, seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    model = zoo.build(name)
    card = store.new_card(name, "mnist", zoo.spec(name).title, TrainConfig(),
                          test_accuracy=accuracy, test_loss=1.0, train_seconds=1.0, epochs=1)
    return store.save(model, card), model


def test_round_trip_keeps_weights_and_card(nc_home):
    card, model = save_untrained()
    loaded = store.load("mlp", "mnist")
    x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    assert np.allclose(loaded.model(x), model(x), atol=1e-6)
    assert loaded.card == card and card.sha256 and card.versions["keras"]
    assert [c.name for c in store.cards("mnist")] == ["mlp"]
    assert store.read_card("mlp", "mnist") is store.read_card("mlp", "mnist")  # parsed once


def test_a_better_version_replaces_and_the_one_before_is_kept(nc_home):
    first, _ = save_untrained(accuracy=0.5)
    second, _ = save_untrained(accuracy=0.9, seed=1)
    assert store.load("mlp", "mnist").card.test_accuracy == 0.9
    kept = store.versions("mlp", "mnist")
    assert [card.version for card in kept] == [second.version, first.version]
    assert sorted(p.name for p in (nc_home / "models" / "mnist").glob("mlp.*.keras")) == sorted(
        [first.file, second.file])


def test_metrics_added_later_go_on_the_version_and_on_the_card_in_use(nc_home):
    first, _ = save_untrained(accuracy=0.9)
    second, _ = save_untrained(accuracy=0.6, seed=1)  # kept, not in use
    store.add_metrics(first, novelty={"method": "m"})
    store.add_metrics(second, extra=1)
    in_use = store.read_card("mlp", "mnist")
    assert in_use.version == first.version and in_use.metrics["novelty"] == {"method": "m"}
    assert "extra" not in in_use.metrics
    kept = {card.version: card for card in store.versions("mlp", "mnist")}
    assert kept[first.version].metrics["novelty"] == {"method": "m"}
    assert kept[second.version].metrics["extra"] == 1
    assert store.load("mlp", "mnist").card.sha256 == first.sha256  # the model is as it was


def test_a_worse_version_is_kept_but_not_put_in_use(nc_home):
    better, _ = save_untrained(accuracy=0.9)
    worse, _ = save_untrained(accuracy=0.6, seed=1)
    assert store.read_card("mlp", "mnist").version == better.version
    assert worse.version in [card.version for card in store.versions("mlp", "mnist")]
    assert store.load("mlp", "mnist", worse.version).card.test_accuracy == 0.6


def test_rollback_and_roll_forward(nc_home):
    first, model = save_untrained(accuracy=0.9)
    second, _ = save_untrained(accuracy=0.95, seed=1)
    store.use("mlp", "mnist", first.version)
    loaded = store.load("mlp", "mnist")
    x = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    assert loaded.card.version == first.version and np.allclose(loaded.model(x), model(x))
    store.use("mlp", "mnist", second.version)
    assert store.load("mlp", "mnist").card.version == second.version
    with pytest.raises(store.ModelMissing, match="no version"):
        store.use("mlp", "mnist", "123")


def test_versions_are_pruned_by_count_never_the_one_in_use(nc_home, monkeypatch):
    monkeypatch.setenv(settings.MAX_VERSIONS_ENV, "3")
    best, _ = save_untrained(accuracy=0.99)
    later = [save_untrained(accuracy=0.5 + i / 100, seed=i)[0] for i in range(4)]
    kept = [card.version for card in store.versions("mlp", "mnist")]
    assert kept == [card.version for card in reversed(later[1:])] + [best.version]
    assert store.read_card("mlp", "mnist").version == best.version
    files = sorted(p.name for p in (nc_home / "models" / "mnist").glob("mlp.*.keras"))
    assert files == sorted([best.file] + [card.file for card in later[1:]])


def test_versions_are_pruned_to_the_budget_oldest_first(nc_home, monkeypatch):
    first, _ = save_untrained("cnn_report", accuracy=0.9)
    size = (nc_home / "models" / "mnist" / first.file).stat().st_size
    # Room for about three such models: the fourth save must push the oldest spare one out.
    monkeypatch.setenv(settings.STORE_BUDGET_ENV, str(max(1, int(3.5 * size / 1e6))))
    spare = [save_untrained("cnn_report", accuracy=0.5, seed=i)[0] for i in range(1, 4)]
    kept = {card.version for card in store.versions("cnn_report", "mnist")}
    assert first.version in kept and spare[0].version not in kept
    assert {spare[1].version, spare[2].version} <= kept
    total = sum(p.stat().st_size for p in (nc_home / "models" / "mnist").glob("*.keras"))
    assert total <= settings.store_budget_bytes()


@pytest.mark.parametrize(("metrics", "test_loss", "accuracy", "expected"), [
    ({"quality": {"inception_score": 6.6, "confident": 0.61}}, 0.0, 0.61, 6.6),
    ({"gaussian": {"psnr": [20.0, 16.0], "accuracy": [0.99, 0.91]},
      "salt_pepper": {"psnr": [22.0, 18.0], "accuracy": [0.98, 0.92]}, "reader": "cnn_best"},
     0.1, None, 0.95),
    ({"gaussian": {"psnr": [20.0, 16.0]}}, 0.1, None, None),  # before denoised accuracy
    ({"mean_loss": {"clean": 0.002}}, 0.002, None, -0.002),
    ({}, 0.05, 0.98, 0.98),
    ({}, 0.05, None, None),
])
def test_each_kind_of_model_is_ranked_by_its_own_measure(metrics, test_loss, accuracy,
                                                         expected):
    card = store.new_card("m", "mnist", "m", {}, test_accuracy=accuracy, test_loss=test_loss,
                          train_seconds=1.0, epochs=1, metrics=metrics)
    assert quality(card) == (pytest.approx(expected) if expected is not None else None)


def test_the_worse_does_not_replace_rule_for_each_kind():
    def card(quick: bool = False, **measures):
        return store.new_card("m", "mnist", "m", {}, test_accuracy=measures.get("accuracy", 0.0),
                              test_loss=measures.get("loss", 0.0), train_seconds=1.0,
                              epochs=1, quick=quick, metrics=measures.get("metrics", {}))

    def generator(score):
        return card(metrics={"quality": {"inception_score": score, "confident": 1.0}})

    def denoiser(accuracy):
        return card(metrics={"gaussian": {"psnr": [15.0], "accuracy": [accuracy]}})

    def line(loss):
        return card(loss=loss, metrics={"mean_loss": {"clean": loss}})

    assert not replaces(card(accuracy=0.97), card(accuracy=0.99))
    assert replaces(card(accuracy=0.99), card(accuracy=0.97))
    assert not replaces(generator(2.1), generator(6.6))  # blobs read 100 % confident
    assert replaces(generator(7.0), generator(6.6))
    assert not replaces(denoiser(0.95), denoiser(0.97))
    assert replaces(denoiser(0.95), card(metrics={"gaussian": {"psnr": [17.0]}}))
    assert replaces(line(0.001), line(0.002)) and not replaces(line(0.003), line(0.002))
    assert replaces(card(accuracy=0.9), card(quick=True, accuracy=0.95))  # full beats quick
    assert not replaces(card(quick=True, accuracy=0.9), card(accuracy=0.95))
    assert replaces(card(accuracy=0.5), None)


def test_cards_are_strict_json_and_old_nans_read_as_not_measured(nc_home):
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    card = store.new_card("ae_dense", "mnist", "d", {}, test_accuracy=None, test_loss=0.1,
                          train_seconds=1.0, epochs=1, metrics={"gaussian": {"psnr": [15.0]}})
    written = store.save(zoo.build("ae_dense"), card)
    assert json.loads(store.card_path("ae_dense", "mnist").read_text(),
                      parse_constant=refuse)["test_accuracy"] is None
    legacy = store.card_path("ae_dense", "mnist")  # as denoiser cards were written before
    legacy.write_text(legacy.read_text().replace('"test_accuracy": null', '"test_accuracy": NaN'))
    assert store.read_card("ae_dense", "mnist") == written
    with pytest.raises(ValueError):
        store.add_metrics(written, broken=float("nan"))


def test_a_card_from_before_versions_is_adopted_as_one(nc_home):
    old, _ = save_untrained(accuracy=0.9)
    # What a store written before versions holds: the card without its version, no versions.
    legacy = asdict(old)
    legacy.pop("version")
    store.card_path("mlp", "mnist").write_text(json.dumps(legacy))
    for path in (nc_home / "models" / "mnist" / "versions" / "mlp").glob("*.json"):
        path.unlink()
    assert [card.version for card in store.versions("mlp", "mnist")] == [old.version]
    newer, _ = save_untrained(accuracy=0.5, seed=1)  # worse: the old one stays in use
    assert store.load("mlp", "mnist").card.file == old.file
    assert {card.version for card in store.versions("mlp", "mnist")} == {old.version,
                                                                         newer.version}


def test_missing_model_is_reported_not_raised_as_a_crash(nc_home):
    with pytest.raises(store.ModelMissing, match="No cnn_best model"):
        store.load("cnn_best", "mnist")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other_model"])
def test_a_corrupt_model_is_moved_aside(nc_home, damage):
    card, _ = save_untrained()
    path = nc_home / "models" / "mnist" / card.file
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "garbage":
        path.write_bytes(b"not a keras file")
    else:  # a real model file, but not the one the card describes
        other = nc_home / "other.keras"
        zoo.build("cnn_report").save(other)
        path.write_bytes(other.read_bytes())
    with pytest.raises(store.ModelCorrupt, match="quarantine"):
        store.load("mlp", "mnist")
    assert store.read_card("mlp", "mnist") is None
    assert len(list((nc_home / "models" / "quarantine").iterdir())) == 2


def test_an_unreadable_card_is_moved_aside(nc_home):
    save_untrained()
    store.card_path("mlp", "mnist").write_text("{ not json")
    with pytest.raises(store.ModelCorrupt):
        store.load("mlp", "mnist")
    assert store.cards("mnist") == []


# One process imports Keras once, then forks a writer per line it reads (the seed of that
# writer's accuracies): a kill costs no TensorFlow start-up, so twenty kills take seconds.
WRITERS = textwrap.dedent("""
    import os, random, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import keras
    from core import store
    from core.models.zoo import TrainConfig
    for line in sys.stdin:
        pid = os.fork()
        if pid:
            print("writer", pid, flush=True)
            os.waitpid(pid, 0)  # until the test kills it
            print("reaped", flush=True)
            continue
        model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(1000),
                                  keras.layers.Dense(1000)], name="mlp")
        rng = random.Random(int(line))
        for round in range(100_000):  # some versions better than the one in use, some worse
            card = store.new_card("mlp", "mnist", "big", TrainConfig(),
                                  test_accuracy=rng.random(), test_loss=0.0,
                                  train_seconds=0.0, epochs=1)
            store.save(model, card)
            if round == 0:
                print("saved", flush=True)
""")
PARAMS = 784 * 1000 + 1000 + 1000 * 1000 + 1000
KILLS = 20


def test_writers_killed_at_20_random_moments_leave_every_version_whole(nc_home, monkeypatch):
    """SIGKILL lands at 20 random moments of saving: every version left loads and matches
    its card, one of them is in use, and the store stays within its budget."""
    monkeypatch.setenv(settings.MAX_VERSIONS_ENV, "3")
    monkeypatch.setenv(settings.STORE_BUDGET_ENV, "22")  # about three of these models
    moments = random.Random(0)
    writers = subprocess.Popen([sys.executable, "-c", WRITERS], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        for kill in range(KILLS):
            writers.stdin.write(f"{kill}\n")
            writers.stdin.flush()
            pid = int(writers.stdout.readline().split()[1])
            assert writers.stdout.readline().strip() == "saved"  # one whole save first
            time.sleep(moments.uniform(0.0, 0.5))
            os.kill(pid, signal.SIGKILL)
            assert writers.stdout.readline().strip() == "reaped"
            in_use = store.load("mlp", "mnist")  # must not raise
            kept = store.versions("mlp", "mnist")
            assert in_use.card.file in {card.file for card in kept}
            for card in kept:  # ModelCorrupt on a half-written file
                assert store.load("mlp", "mnist", card.version).model.count_params() == PARAMS
            named = {card.file for card in kept}
            on_disk = sum(path.stat().st_size for path in (nc_home / "models" / "mnist").glob(
                "mlp.*.keras") if path.name in named)
            assert on_disk <= settings.store_budget_bytes()
    finally:
        writers.kill()
        writers.wait()


def test_a_lock_held_elsewhere_is_refused_at_once_when_asked_not_to_wait(tmp_path):
    path = tmp_path / "writers.lock"
    with locked(path), pytest.raises(BlockingIOError), locked(path, wait=False):
        pass
    with locked(path, shared=True), locked(path, shared=True, wait=False):  # readers share
        pass
    with locked(path, wait=False):  # free again
        pass
