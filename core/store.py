"""The on-disk store of trained models: a `.keras` file and a JSON card per model.

Layout: `models/<dataset>/<name>.json` is the card and the commit point; it names the
`.keras` file it describes (`<name>.<stamp>.keras`) and that file's SHA-256. A save
writes the new model file first, then replaces the card atomically, then deletes the
old model file; a writer killed at any moment leaves the previous model loadable.
Writes hold a file lock so two processes never interleave. A file that cannot be
loaded is moved to `models/quarantine/` and reported, never raised to a page.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from core import file_lock, settings

CARD_VERSION = 1


class StoreError(ValueError):
    """A model could not be had from the store; the message says why and what happens next."""


class ModelMissing(StoreError):
    """No model of that name has been trained for that dataset yet."""


class ModelCorrupt(StoreError):
    """The stored model was unreadable or did not match its card; it was moved aside."""


@dataclass(frozen=True)
class Card:
    """What the store knows about a trained model, written next to it as JSON."""

    name: str
    dataset: str
    title: str
    config: dict
    test_accuracy: float
    test_loss: float
    train_seconds: float
    epochs: int
    trained_at: float  # seconds since the epoch
    quick: bool = False  # trained with the short first-launch recipe
    # What else was measured on the test set; a denoiser's PSNR and SSIM per noise and level.
    metrics: dict = field(default_factory=dict)
    file: str = ""
    sha256: str = ""
    versions: dict = field(default_factory=dict)
    card_version: int = CARD_VERSION

    @property
    def key(self) -> tuple[str, str]:
        return self.name, self.dataset


@dataclass(frozen=True)
class StoredModel:
    """A model loaded from the store together with its card."""

    model: keras.Model
    card: Card


def new_card(name: str, dataset: str, title: str, config: Any, *,
             test_accuracy: float, test_loss: float, train_seconds: float, epochs: int,
             quick: bool = False, metrics: dict | None = None) -> Card:
    """Return the card for a model that has just been trained; `config` is its recipe, a
    dataclass or a dict."""
    import tensorflow as tf

    return Card(
        name=name, dataset=dataset, title=title,
        config=config if isinstance(config, dict) else asdict(config),
        test_accuracy=float(test_accuracy), test_loss=float(test_loss),
        train_seconds=float(train_seconds), epochs=int(epochs), trained_at=time.time(),
        quick=quick, metrics=metrics or {},
        versions={"keras": keras.__version__, "tensorflow": tf.__version__,
                  "numpy": np.__version__},
    )


def _folder(dataset: str) -> Path:
    folder = settings.models_dir() / dataset
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def card_path(name: str, dataset: str) -> Path:
    """Return where a model's card lives."""
    return _folder(dataset) / f"{name}.json"


def _locked(shared: bool = False) -> contextlib.AbstractContextManager[None]:
    """Hold the store's file lock: shared for readers, exclusive for writers."""
    return file_lock.locked(settings.models_dir() / ".lock", shared)


def save(model: keras.Model, card: Card) -> Card:
    """Save a model and its card atomically; return the card as written."""
    folder = _folder(card.dataset)
    stamp = f"{time.time_ns():x}"
    with _locked():
        final = folder / f"{card.name}.{stamp}.keras"
        partial = folder / f".{card.name}.{stamp}.partial.keras"
        try:
            model.save(partial)
            _fsync(partial)
            digest = _sha256(partial)
            partial.replace(final)
            written = Card(**{**asdict(card), "file": final.name, "sha256": digest})
            _write_json(card_path(card.name, card.dataset), asdict(written))
        except OSError as error:
            partial.unlink(missing_ok=True)
            final.unlink(missing_ok=True)
            why = "the disk is full" if error.errno == errno.ENOSPC else _short(error)
            raise StoreError(f"The {card.name} model could not be saved: {why}. The model "
                             "stored before, if any, is still there.") from error
        _remove_stale(folder, card.name, keep=final.name)
    return written


def read_card(name: str, dataset: str) -> Card | None:
    """Return a model's card, or None when there is none (an unreadable card counts as none)."""
    path = card_path(name, dataset)
    if not path.exists():
        return None
    try:
        return Card(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def cards(dataset: str | None = None) -> list[Card]:
    """Return the cards of every stored model (of one dataset, if given)."""
    root = settings.models_dir()
    folders = [root / dataset] if dataset else [p for p in root.iterdir() if p.is_dir()]
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            card = read_card(path.stem, folder.name)
            if card is not None:
                found.append(card)
    return found


def load(name: str, dataset: str) -> StoredModel:
    """Load a model in Keras' safe mode.

    Raises ModelMissing when none was trained, ModelCorrupt (after moving the bad
    files to quarantine) when the file is unreadable or does not match its card.
    """
    path = card_path(name, dataset)
    with _locked(shared=True):
        if not path.exists():
            raise ModelMissing(f"No {name} model has been trained on {dataset} yet.")
        card, model, problem = _read_model(path)
    if problem is None:
        return StoredModel(model, card)
    _quarantine(name, dataset, path, card)
    raise ModelCorrupt(
        f"The stored {name} model could not be used: {problem}. It was moved to the "
        "quarantine folder and will be trained again."
    )


def _read_model(path: Path) -> tuple[Card | None, keras.Model | None, str | None]:
    """Return (card, model, None), or the reason the pair cannot be used in the last place."""
    try:
        card = Card(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError) as error:
        return None, None, f"its card is unreadable ({_short(error)})"
    model_path = path.parent / card.file
    if not card.file or not model_path.exists():
        return card, None, "its model file is missing"
    if _sha256(model_path) != card.sha256:
        return card, None, "its model file does not match the checksum on its card"
    try:
        model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for a bad archive; all mean corrupt.
        return card, None, f"Keras could not load it ({type(error).__name__}: {_short(error)})"
    return card, model, None


def delete(name: str, dataset: str) -> None:
    """Remove a model and its card from the store."""
    with _locked():
        path = card_path(name, dataset)
        path.unlink(missing_ok=True)
        _remove_stale(path.parent, name, keep=None)


def _quarantine(name: str, dataset: str, path: Path, card: Card | None) -> None:
    """Move a bad card and its model file aside, unless a writer replaced them meanwhile."""
    target = settings.models_dir() / "quarantine"
    target.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with _locked():
        if card is not None and read_card(name, dataset) not in (None, card):
            return
        for victim in (path, path.parent / card.file if card and card.file else None):
            if victim is not None and victim.exists():
                victim.replace(target / f"{dataset}.{victim.name}.{stamp}")


def _remove_stale(folder: Path, name: str, keep: str | None) -> None:
    for path in folder.glob(f"{name}.*.keras"):
        if path.name != keep:
            path.unlink(missing_ok=True)
    for path in folder.glob(f".{name}.*.partial.keras"):
        # A partial file older than a minute belongs to a writer that died.
        if time.time() - path.stat().st_mtime > 60:
            path.unlink(missing_ok=True)


def _write_json(path: Path, payload: dict) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(json.dumps(payload, indent=2, sort_keys=True))
        _fsync(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _short(error: BaseException) -> str:
    return (str(error).splitlines() or [""])[0][:160]
