"""The on-disk store of trained models: versions of each, a `.keras` file and a JSON card
apiece, one of them in use.

Layout: `models/<dataset>/<name>.json` is the card of the version in use and the commit
point; it names the `.keras` file it describes (`<name>.<version>.keras`, the version
being when it was saved) and that file's SHA-256. Every version keeps its card in
`models/<dataset>/versions/<name>/<version>.json`. A save writes the new model file
first, then its version card, then (if it is put in use) the card in use, each
atomically; a writer killed at any moment leaves every version loadable. A new version
that measures worse than the one in use is kept but not put in use (`replaces`). Before
a new version is written, versions beyond `settings.max_versions()` per model, or beyond
the store's disk budget, are pruned oldest first, never one in use. Writes hold a file
lock so two processes never interleave. A file that cannot be loaded is moved to
`models/quarantine/` and reported, never raised to a page.
"""

from __future__ import annotations

import contextlib
import errno
import functools
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
from core.model_quality import replaces

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
    test_accuracy: float | None  # None where accuracy is not the measure (denoisers)
    test_loss: float
    train_seconds: float
    epochs: int
    trained_at: float  # seconds since the epoch
    quick: bool = False  # trained with the short first-launch recipe
    # What else was measured on the test set; a denoiser's PSNR and SSIM per noise and level.
    metrics: dict = field(default_factory=dict)
    file: str = ""
    sha256: str = ""
    versions: dict = field(default_factory=dict)  # of the libraries it was saved with
    card_version: int = CARD_VERSION
    version: str = ""  # when it was saved (hex nanoseconds): names its file and its card

    @property
    def key(self) -> tuple[str, str]:
        return self.name, self.dataset


@dataclass(frozen=True)
class StoredModel:
    """A model loaded from the store together with its card."""

    model: keras.Model
    card: Card


def new_card(name: str, dataset: str, title: str, config: Any, *,
             test_accuracy: float | None, test_loss: float, train_seconds: float, epochs: int,
             quick: bool = False, metrics: dict | None = None) -> Card:
    """Return the card for a model that has just been trained; `config` is its recipe, a
    dataclass or a dict."""
    import tensorflow as tf

    return Card(
        name=name, dataset=dataset, title=title,
        config=config if isinstance(config, dict) else asdict(config),
        test_accuracy=None if test_accuracy is None else float(test_accuracy),
        test_loss=float(test_loss),
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


def save(model: keras.Model, card: Card, use: bool | None = None) -> Card:
    """Save a model as a new version and return its card as written. It is put in use
    unless it measures worse than the one in use (`replaces`); `use` decides instead when
    given. `read_card` says which version is in use."""
    folder = _folder(card.dataset)
    stamp = f"{time.time_ns():x}"
    with _locked():
        final = folder / f"{card.name}.{stamp}.keras"
        partial = folder / f".{card.name}.{stamp}.partial.keras"
        version_card = _version_path(card.name, card.dataset, stamp)
        try:
            current = _adopted(read_card(card.name, card.dataset))
            model.save(partial)
            _fsync(partial)
            digest = _sha256(partial)
            _prune(card.name, card.dataset, incoming=partial.stat().st_size)
            partial.replace(final)
            written = Card(**{**asdict(card), "file": final.name, "sha256": digest,
                              "version": stamp})
            _write_json(version_card, asdict(written))
            if replaces(written, current) if use is None else use:
                _write_json(card_path(card.name, card.dataset), asdict(written))
        except OSError as error:
            for path in (partial, version_card, final):
                path.unlink(missing_ok=True)
            why = "the disk is full" if error.errno == errno.ENOSPC else _short(error)
            raise StoreError(f"The {card.name} model could not be saved: {why}. The model "
                             "stored before, if any, is still there.") from error
        _remove_stale(card.name, card.dataset)
    return written


def versions(name: str, dataset: str) -> list[Card]:
    """Return every kept version of a model whose file is there, newest first."""
    found = {card.version: card for card in map(_read_card_file,
                                                 _versions_folder(name, dataset).glob("*.json"))
             if card is not None and _model_path(card).exists()}
    current = _adopted(read_card(name, dataset), write=False)
    if current is not None:
        found.setdefault(current.version, current)
    return sorted(found.values(), key=lambda card: int(card.version, 16), reverse=True)


def use(name: str, dataset: str, version: str) -> Card:
    """Put a kept version of a model in use; return its card (raises ModelMissing)."""
    with _locked():
        card = next((c for c in versions(name, dataset) if c.version == version), None)
        if card is None:
            raise ModelMissing(f"{name} on {dataset} has no version {version!r}.")
        _write_json(card_path(name, dataset), asdict(card))
    return card


def add_metrics(card: Card, **metrics: Any) -> Card:
    """Write measurements made after saving onto a version's card, and onto the card in use
    when that is the same version (the model file is unchanged); return the card."""
    written = asdict(card) | {"metrics": card.metrics | metrics}
    with _locked():
        if _version_path(card.name, card.dataset, card.version).exists():
            _write_json(_version_path(card.name, card.dataset, card.version), written)
        if getattr(read_card(card.name, card.dataset), "file", None) == card.file:
            _write_json(card_path(card.name, card.dataset), written)
    return Card(**written)


def read_card(name: str, dataset: str) -> Card | None:
    """Return the card of the version in use, or None when there is none (an unreadable card
    counts as none)."""
    return _read_card_file(card_path(name, dataset))


def cards(dataset: str | None = None) -> list[Card]:
    """Return the cards of every stored model (of one dataset, if given)."""
    root = settings.models_dir()
    folders = [root / dataset] if dataset else [p for p in root.iterdir() if p.is_dir()]
    found = (read_card(path.stem, folder.name) for folder in folders if folder.is_dir()
             for path in sorted(folder.glob("*.json")))
    return [card for card in found if card is not None]


def load(name: str, dataset: str, version: str | None = None) -> StoredModel:
    """Load the version of a model in use (or the one named) in Keras' safe mode.

    Raises ModelMissing when none was trained, ModelCorrupt (after moving the bad
    files to quarantine) when the file is unreadable or does not match its card.
    """
    path = (card_path(name, dataset) if version is None
            else _version_path(name, dataset, version))
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
    card = _read_card_file(path)
    if card is None:
        return None, None, "its card is unreadable"
    model_path = _model_path(card)
    if not card.file or not model_path.exists():
        return card, None, "its model file is missing"
    if _sha256(model_path) != card.sha256:
        return card, None, "its model file does not match the checksum on its card"
    try:
        model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for a bad archive; all mean corrupt.
        return card, None, f"Keras could not load it ({type(error).__name__}: {_short(error)})"
    return card, model, None


def files(name: str, dataset: str) -> list[Path]:
    """Every file of a model in the store: the card in use, each version's card and model."""
    return [card_path(name, dataset), *_versions_folder(name, dataset).glob("*.json"),
            *_folder(dataset).glob(f"{name}.*.keras")]


def _quarantine(name: str, dataset: str, path: Path, card: Card | None) -> None:
    """Move a bad card and its model file aside, unless a writer replaced them meanwhile."""
    target = settings.models_dir() / "quarantine"
    target.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    with _locked():
        if card is not None and read_card(name, dataset) not in (None, card):
            return
        for victim in (path, _model_path(card) if card and card.file else None):
            if victim is not None and victim.exists():
                victim.replace(target / f"{dataset}.{victim.name}.{stamp}")


def _version_path(name: str, dataset: str, version: str) -> Path:
    return _versions_folder(name, dataset) / f"{version}.json"


def _versions_folder(name: str, dataset: str) -> Path:
    return _folder(dataset) / "versions" / name


def _model_path(card: Card) -> Path:
    return settings.models_dir() / card.dataset / card.file


def _read_card_file(path: Path) -> Card | None:
    """Read a card (None if unreadable); cards written before they were strict JSON say NaN
    for "not measured"."""
    try:
        return _parsed_card(path.read_text())
    except (OSError, ValueError, TypeError):
        return None


@functools.lru_cache(maxsize=256)
def _parsed_card(text: str) -> Card:
    """A card's text parsed once: every page's run reads the store, and parsing was most of
    that (a Card is frozen)."""
    return Card(**json.loads(text, parse_constant=lambda _: None))


def _adopted(card: Card | None, write: bool = True) -> Card | None:
    """A card saved before versions existed, given its version (from its file's name) and,
    if `write`, a version card of its own (hold the lock)."""
    if card is None or card.version or not card.file:
        return card
    card = Card(**{**asdict(card), "version": card.file.split(".")[-2]})
    if write:
        _write_json(_version_path(card.name, card.dataset, card.version), asdict(card))
    return card


def _prune(name: str, dataset: str, incoming: int) -> None:
    """Make room for a new version of `incoming` bytes: remove versions beyond the count per
    model, then the oldest of any model while the store would be over its budget; never a
    version in use (hold the lock). Cheap when nothing needs to go: one listing of files."""
    spare = versions(name, dataset)[settings.max_versions() - 1:]
    on_disk = sum(path.stat().st_size for path in settings.models_dir().glob("*/*.keras")
                  if not path.name.startswith("."))  # not the incoming one's partial file
    over = incoming + on_disk - settings.store_budget_bytes()
    if not spare and over <= 0:
        return
    in_use = {_model_path(card) for card in cards()}

    def remove(card: Card) -> int:
        path = _model_path(card)
        if path in in_use or not path.exists():
            return 0
        size = path.stat().st_size
        _remove_version(card)
        return size

    for card in spare:
        over -= remove(card)
    if over > 0:
        root = settings.models_dir()
        every = [card for folder in root.iterdir() if folder.is_dir()
                 for named in (folder / "versions").glob("*")
                 for card in versions(named.name, folder.name)]
        for card in sorted(every, key=lambda card: int(card.version, 16)):
            if over <= 0:
                break
            over -= remove(card)


def _remove_version(card: Card) -> None:
    """Remove a version: its card first, so no card ever names a missing file."""
    _version_path(card.name, card.dataset, card.version).unlink(missing_ok=True)
    _model_path(card).unlink(missing_ok=True)


def _remove_stale(name: str, dataset: str) -> None:
    """Remove model files no card names (a writer killed before writing one), version cards
    whose file went to quarantine, and partial files a dead writer left (hold the lock)."""
    folder = _folder(dataset)
    in_use = read_card(name, dataset)
    named = {in_use.file} if in_use is not None else set()
    for path in _versions_folder(name, dataset).glob("*.json"):
        card = _read_card_file(path)
        if card is not None and not _model_path(card).exists():
            path.unlink()
        elif card is not None:
            named.add(card.file)
    for path in folder.glob(f"{name}.*.keras"):
        if path.name not in named:
            path.unlink(missing_ok=True)
    for path in folder.glob(f".{name}.*.partial.keras"):
        # A partial file older than a minute belongs to a writer that died.
        if time.time() - path.stat().st_mtime > 60:
            path.unlink(missing_ok=True)


def _write_json(path: Path, payload: dict) -> None:
    """Write strict JSON (no NaN: other tools read these cards) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(json.dumps(payload, indent=2, sort_keys=True, allow_nan=False))
        _fsync(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _short(error: BaseException) -> str:
    return (str(error).splitlines() or [""])[0][:160]
