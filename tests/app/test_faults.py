"""Faults outside the user's control: a full disk while saving, a training process killed
mid-epoch (as when the server dies), and the server coming back afterwards."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time

import pytest

from core import store
from core.models.zoo import TrainConfig
from core.training import fit, lab
from tests.app.conftest import open_page, store_files, text_of
from tests.app.test_lab import go_to


def test_a_full_disk_while_saving_keeps_the_old_model(nc_home, monkeypatch):
    fit.train_model("mlp", config=TrainConfig(epochs=1, train_samples=2000))
    before = store_files(nc_home)

    def fill_the_disk(self, path, *args, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"PK\x03\x04 half a model")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("keras.Model.save", fill_the_disk)
    with pytest.raises(store.StoreError, match="the disk is full.*still there"):
        fit.train_model("mlp", config=TrainConfig(epochs=1, train_samples=2000))
    assert store_files(nc_home) == before  # no partial file left, the card untouched
    assert store.load("mlp", "mnist").card.sha256 == store.read_card("mlp", "mnist").sha256


def test_a_training_killed_mid_epoch_loses_nothing_and_the_restarted_app_says_so(nc_home):
    fit.train_model("mlp", config=TrainConfig(epochs=1, train_samples=2000))
    before = store_files(nc_home)
    trainer = subprocess.Popen(
        [sys.executable, "-m", "core", "lab", "train", "--preset", "small", "--epochs", "20",
         "--samples", "6000"],
        env={**os.environ}, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    record = nc_home / "lab" / "1.json"
    deadline = time.time() + 120
    while time.time() < deadline and '"batches": [[' not in _text(record):
        time.sleep(0.2)  # until its first epoch is recorded: it is inside the second
    trainer.send_signal(signal.SIGKILL)
    trainer.wait()
    assert '"state": "training"' in _text(record)
    assert store_files(nc_home) == before and store.read_card("lab_1", "mnist") is None
    assert store.load("mlp", "mnist") is not None

    app = open_page("views/lab.py")  # a fresh server process finds the record
    go_to(app, "Compare runs")
    table = app.dataframe[0].value
    assert table.loc[table["run"] == 1, "state"].item() == "interrupted"
    assert lab.read_run(record).state == "training"  # the record itself is kept as it was
    assert "Traceback" not in text_of(app)


def _text(path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
