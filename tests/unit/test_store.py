"""The model store: round trips, atomic writes that survive a killed writer, recovery."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from core import store
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


def test_saving_again_replaces_the_model_and_leaves_one_file(nc_home):
    save_untrained(accuracy=0.5)
    second, _ = save_untrained(accuracy=0.9, seed=1)
    assert store.load("mlp", "mnist").card.test_accuracy == 0.9
    assert [p.name for p in (nc_home / "models" / "mnist").glob("mlp.*.keras")] == [second.file]


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


WRITER = textwrap.dedent("""
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import keras
    from core import store
    from core.models.zoo import TrainConfig
    # A big model so that each save takes a while: the kill lands mid-write.
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(3000),
                              keras.layers.Dense(3000)], name="mlp")
    for round in range(1000):
        card = store.new_card("mlp", "mnist", "big", TrainConfig(), test_accuracy=round,
                              test_loss=0.0, train_seconds=0.0, epochs=1)
        store.save(model, card)
        print("saved", round, flush=True)
""")


def test_a_writer_killed_mid_save_leaves_a_loadable_model(nc_home):
    for delay in (0.3, 0.55, 0.8):
        writer = subprocess.Popen([sys.executable, "-c", WRITER], stdout=subprocess.PIPE,
                                  text=True)
        assert writer.stdout.readline().startswith("saved")  # one complete save first
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        loaded = store.load("mlp", "mnist")  # must not raise
        assert loaded.model.count_params() == 784 * 3000 + 3000 + 3000 * 3000 + 3000
