"""The images a classifier's not-a-digit detector is fitted on (core.inference.novelty):
digits as they are, redrawn and through the canvas, generated drawings that are not digits,
and held-out digits, as written and redrawn, for the threshold.

They are the same every time (fixed seeds) and take 10 to 20 s to make on a 2-core CPU,
most of it drawing the non-digits through the canvas path; on first launch that stood
between the first quick model and its first prediction. So they are made once and kept
beside the dataset, under a name that changes with the code that makes them (a new file
replaces the older ones); `python -m core data fetch` (and so `make run`) makes them ahead
of time.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import sys
from pathlib import Path

import numpy as np

from core import settings
from core.data import datasets, distortions, non_digits, pen, preprocess

DIGIT_SAMPLES = 10_000  # training digits, half of them redrawn, and some through the canvas
CANVAS_DIGITS = 1_500
NON_DIGIT_SAMPLES = 6_000  # generated drawings, every family in turn (about 200 of each)
# Held-out digits for the threshold: the first half of the test set as written and redrawn as
# other writers might. Set on the written ones alone, the threshold flagged 1.5 % of redrawn
# test digits (3.6 % of those under the reference elastic distortion) against 0.2 % of
# written ones.
CALIBRATION_SAMPLES = 5_000
DATASETS = ("mnist",)  # where "not a digit" means something


@functools.lru_cache(maxsize=2)
def fitting_images(dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (digits, non-digits, held-out digits) as (n, 28, 28) float32 images, from the
    file kept beside the dataset, made first when there is none."""
    path = _kept_path(dataset)
    try:
        with np.load(path, allow_pickle=False) as kept:
            return kept["digits"], kept["others"], kept["held_out"]
    except (OSError, KeyError, ValueError):  # not made yet, or a partial file
        pass
    images = _make(dataset)
    partial = path.with_suffix(f".{os.getpid()}.partial.npz")
    try:
        np.savez(partial, **dict(zip(("digits", "others", "held_out"), images, strict=True)))
        os.replace(partial, path)  # whole or not at all, should two processes race
    except OSError:  # a read-only data folder: made again next time
        partial.unlink(missing_ok=True)
        return images
    for older in path.parent.glob(f"{dataset}-detector-images-*.npz"):  # 86 MB each
        if older != path:
            older.unlink(missing_ok=True)
    return images


def _make(dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    loaded = datasets.load(dataset)
    images, labels = loaded.images("train")[:DIGIT_SAMPLES], loaded.labels("train")[:DIGIT_SAMPLES]
    half = DIGIT_SAMPLES // 2
    rng = np.random.default_rng(0)
    redrawn = distortions.augment(images[half:], labels[half:], rng, share=1.0)
    drawn = distortions.through_canvas(images[:CANVAS_DIGITS], rng)
    digits = np.concatenate([images[:half].reshape(-1, 28, 28), redrawn.reshape(-1, 28, 28),
                             drawn])
    others, _ = non_digits.drawings(NON_DIGIT_SAMPLES, seed=0)
    written = loaded.images("test")[:CALIBRATION_SAMPLES].reshape(-1, 28, 28)
    rewritten = distortions.augment(written, loaded.labels("test")[:CALIBRATION_SAMPLES], rng,
                                    share=1.0).reshape(-1, 28, 28)
    held_out = np.concatenate([written, rewritten])
    return (digits.astype(np.float32), others.astype(np.float32),
            held_out.astype(np.float32))


def _kept_path(dataset: str) -> Path:
    """The file's name carries a digest of the code and sizes that make the images."""
    digest = hashlib.sha256(repr((DIGIT_SAMPLES, CANVAS_DIGITS, NON_DIGIT_SAMPLES,
                                  CALIBRATION_SAMPLES)).encode())
    for module in (sys.modules[__name__], distortions, non_digits, pen, preprocess):
        digest.update(inspect.getsource(module).encode())
    return settings.data_dir() / f"{dataset}-detector-images-{digest.hexdigest()[:12]}.npz"
