"""Arrays worked out from one model file (feature indexes, maps of points, filter patches),
kept on disk beside nothing else: the file name carries the model version, so a retrained
model never reads a stale array, and the Probe page is instant the second time."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core import settings, store


def path(card: store.Card, what: str) -> Path:
    """Where `what` (a short name, e.g. "features" or "tsne.dense_128") of this model version
    is kept."""
    return settings.home_dir() / "probe" / card.dataset / f"{Path(card.file).stem}.{what}.npz"


def load(card: store.Card, what: str) -> dict[str, np.ndarray] | None:
    """Return the kept arrays, or None when they were never worked out (or are unreadable)."""
    found = path(card, what)
    try:
        with np.load(found, allow_pickle=False) as arrays:
            return {key: arrays[key] for key in arrays.files}
    except (OSError, ValueError):
        return None


def save(card: store.Card, what: str, **arrays: np.ndarray) -> None:
    """Keep arrays, written whole or not at all."""
    found = path(card, what)
    found.parent.mkdir(parents=True, exist_ok=True)
    partial = found.with_name(found.name + ".partial")
    with open(partial, "wb") as out:
        np.savez(out, **arrays)
    partial.replace(found)
