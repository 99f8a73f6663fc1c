"""Models kept warm in memory, one per stored file, swapped when the store's file changes.

Keyed by (card path, model checksum, wrapper): a retrained model, another store or
another use of the same model (classifier, denoiser) is a new entry, and the entry it
replaces is dropped so memory does not grow with every retraining.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from core import store

Warm = TypeVar("Warm")
_CACHE: dict[tuple[str, str, Callable], object] = {}
_BUILDING: dict[tuple[str, Callable], threading.Lock] = {}
_LOCK = threading.Lock()


def load(name: str, dataset: str, wrap: Callable[[store.StoredModel], Warm]) -> Warm:
    """Return `wrap(stored model)`, built once per stored file (raises store.StoreError).

    Threads asking for a model while it is being built wait for that build instead of
    starting their own: a page that sees a model the moment it lands gets the one its
    training job is warming (core.training.fit.submit_training)."""
    path = str(store.card_path(name, dataset))
    with _LOCK:
        building = _BUILDING.setdefault((path, wrap), threading.Lock())
    with building:
        card = store.read_card(name, dataset)
        if card is not None:
            with _LOCK:
                cached = _CACHE.get((path, card.sha256, wrap))
            if cached is not None:
                return cached
        warm = wrap(store.load(name, dataset))
        with _LOCK:
            for key in [k for k in _CACHE if k[0] == path and k[2] is wrap]:
                del _CACHE[key]
            _CACHE[(path, warm.card.sha256, wrap)] = warm
        return warm
