"""Thirty students sending drawings of new symbols into one pool at once, each from its own
process (the file lock is what keeps them apart), five each, a second apart: no error, no
drawing lost, the count exact. Kept apart from bench.teach so the senders start without
TensorFlow."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time

import numpy as np

from bench.common import home_restored
from core import settings
from core.data import symbol_pool, symbols

CLASSES = symbols.PRESETS["Operators"]
SENDERS, SENDS_EACH = 30, 5


def send(index: int) -> tuple[int, int]:
    """One student: SENDS_EACH drawings a second apart; return (sent, refused)."""
    rng, refused, last = np.random.default_rng(index), 0, None
    for number in range(SENDS_EACH):
        name = CLASSES[(index + number) % len(CLASSES)]
        try:
            last = symbol_pool.add(symbols.draw(name, rng), name, last)
        except ValueError:
            refused += 1
        time.sleep(1.0)
    return SENDS_EACH - refused, refused


def crowd() -> dict:
    """Run the senders into a fresh pool; report what arrived."""
    with home_restored(), tempfile.TemporaryDirectory() as home:
        os.environ[settings.HOME_ENV] = home  # the senders inherit it
        symbol_pool.set_classes(CLASSES)
        start = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(SENDERS) as senders:
            results = senders.map(send, range(SENDERS))
        seconds = time.perf_counter() - start
        counted, read = symbol_pool.count(), len(symbol_pool.read())
    return {"senders": SENDERS, "sent": sum(sent for sent, _ in results),
            "refused": sum(refused for _, refused in results), "counted": counted,
            "read": read, "seconds": round(seconds, 1)}


if __name__ == "__main__":
    print(crowd())
