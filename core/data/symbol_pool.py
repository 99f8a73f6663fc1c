"""The examples a class draws to teach a network new symbols (the Teach page).

The instructor names the classes (`set_classes`); everyone draws examples and labels them
by class. Like the class's digit drawings (core.classroom) the pool keeps only each 28x28
image, its class name and an id, as plain JSON lines in `<home>/teach/pool.jsonl`, at most
MAX_EXAMPLES, one send a second per person, under a file lock so thirty students sending
at once never interleave a line. Examples keep their class by name: renaming the classes
hides the examples of the old ones without losing them. The pool travels as a plain `.npz`
(images, labels, classes; no pickle), so a lecturer can prepare one at home.
"""

from __future__ import annotations

import contextlib
import io
import json
import secrets
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import classroom, file_lock, settings, trash
from core.data import symbols

MAX_EXAMPLES = classroom.MAX_DRAWINGS
DEFAULT_CLASSES = symbols.PRESETS["Operators"]
NPZ_KEYS = ("images", "labels", "classes")


@dataclass(frozen=True)
class Pool:
    """The examples of the current classes: images (n, 28, 28) float32 in [0, 1], labels
    (n,) indices into `classes`, and each example's id."""

    classes: tuple[str, ...]
    images: np.ndarray
    labels: np.ndarray
    ids: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> list[int]:
        """How many examples each class has."""
        return np.bincount(self.labels, minlength=len(self.classes)).tolist()


def _folder() -> Path:
    folder = settings.home_dir() / "teach"
    folder.mkdir(exist_ok=True)
    return folder


def _pool_path() -> Path:
    return _folder() / "pool.jsonl"


def _classes_path() -> Path:
    return _folder() / "classes.json"


def _locked() -> contextlib.AbstractContextManager[None]:
    return file_lock.locked(_folder() / "pool.lock")


def classes() -> tuple[str, ...]:
    """The classes the instructor named (the operators until then)."""
    try:
        return symbols.parse_classes(",".join(json.loads(_classes_path().read_text())))
    except (FileNotFoundError, ValueError, TypeError):
        return DEFAULT_CLASSES


def set_classes(names: tuple[str, ...]) -> tuple[str, ...]:
    """Name the classes (checked as symbols.parse_classes does); return them."""
    names = symbols.parse_classes(",".join(names))
    path = _classes_path()
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(list(names)))
    temporary.replace(path)
    return names


def add(image: np.ndarray, label: str, last_sent: float | None = None) -> float:
    """Add one example of class `label`; return when it was added. Raises ValueError for a
    wrong image or an unknown class, classroom.TooSoon within a second of the same person's
    `last_sent`, classroom.PoolFull when the pool is full."""
    image = classroom.checked_image(image)
    if label not in classes():
        raise ValueError(f"There is no class {label!r}; the classes are {', '.join(classes())}.")
    now = time.time()
    classroom.check_pace(last_sent, now)
    line = json.dumps({"id": secrets.token_hex(6), "t": round(now, 3), "label": label,
                       "pixels": classroom.encode_image(image)})
    with _locked():
        if count() >= MAX_EXAMPLES:
            raise classroom.PoolFull(f"The pool is full ({MAX_EXAMPLES:,} examples); the "
                                     "instructor can clear it.")
        with open(_pool_path(), "a") as pool:
            pool.write(line + "\n")
    return now


def count() -> int:
    """How many examples the pool holds, of every class named now or before."""
    path = _pool_path()
    if not path.exists():
        return 0
    with open(path, "rb") as pool:
        return sum(1 for _ in pool)


def version() -> tuple[int, int, int]:
    """Changes whenever an example or a class name is added, removed or changed."""
    stamps = []
    for path in (_pool_path(), _classes_path()):
        try:
            stamps.append(path.stat().st_mtime_ns)
        except FileNotFoundError:
            stamps.append(0)
    return count(), *stamps


def _entries() -> list[dict]:
    """Every readable line of the pool; a damaged one (a full disk mid-write) is skipped."""
    path = _pool_path()
    entries = []
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            entry = json.loads(line)
            entry["image"] = classroom.decode_image(entry["pixels"])
            entries.append(entry)
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def read() -> Pool:
    """The examples of the classes named now, oldest first."""
    names = classes()
    kept = [entry for entry in _entries() if entry.get("label") in names]
    images = np.array([entry["image"] for entry in kept], np.float32).reshape(-1, 28, 28)
    labels = np.array([names.index(entry["label"]) for entry in kept], np.int64)
    return Pool(names, images, labels, tuple(str(entry["id"]) for entry in kept))


def remove(example_id: str) -> bool:
    """Delete one example (a bad drawing); return whether it was there."""
    with _locked():
        path = _pool_path()
        lines = path.read_text().splitlines(keepends=True) if path.exists() else []
        kept = [line for line in lines if _id_of(line) != example_id]
        if len(kept) == len(lines):
            return False
        temporary = path.with_suffix(".tmp")
        temporary.write_text("".join(kept))
        temporary.replace(path)
    return True


def _id_of(line: str) -> str | None:
    try:
        return str(json.loads(line)["id"])
    except (ValueError, KeyError, TypeError):
        return None


def clear() -> trash.Item | None:
    """Empty the pool into the trash (the instructor's button); None when it was empty."""
    with _locked():
        total = count()
        if not total:
            return None
        return trash.discard(f"{total:,} examples of new symbols", [_pool_path()])


def export_npz() -> bytes:
    """The current classes' examples as an `.npz`: images (n, 28, 28) uint8, labels (n,)
    int64 and classes (k,) strings."""
    pool = read()
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=np.round(pool.images * 255).astype(np.uint8),
                        labels=pool.labels, classes=np.array(pool.classes, dtype=str))
    return buffer.getvalue()


def import_npz(data: bytes) -> int:
    """Name the classes of an exported pool and add its examples (without the one-a-second
    limit); return how many were added. A file that is not such an export is refused with a
    ValueError that says what is wrong, and changes nothing."""
    try:
        buffer = io.BytesIO(data)
        with np.load(buffer, allow_pickle=False) as archive:
            if missing := [key for key in NPZ_KEYS if key not in archive.files]:
                raise KeyError(missing[0])
            images, labels, names = (archive[key] for key in NPZ_KEYS)
    except KeyError as error:
        raise ValueError(f"This .npz has no {error} array: export a pool to see the format "
                         "(images, labels, classes).") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        raise ValueError("This file is not a readable .npz (damaged, or a pickle): export a "
                         "pool to see the format.") from None
    names = symbols.parse_classes(",".join(str(name) for name in names.reshape(-1)))
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise ValueError(f"The images must be (n, 28, 28) with one label each, not "
                         f"{images.shape} and {labels.shape}.")
    if not np.issubdtype(labels.dtype, np.integer) or len(labels) and not (
            0 <= labels.min() and labels.max() < len(names)):
        raise ValueError(f"Each label must be a class index 0 to {len(names) - 1}.")
    pixels = images.astype(np.float32) / (255.0 if images.dtype == np.uint8 else 1.0)
    if not np.isfinite(pixels).all() or pixels.min() < 0 or pixels.max() > 1:
        raise ValueError("The images must be uint8, or floats in [0, 1].")
    with _locked():
        if count() + len(labels) > MAX_EXAMPLES:
            raise classroom.PoolFull(f"The pool holds {count():,} examples; adding "
                                     f"{len(labels):,} would pass its {MAX_EXAMPLES:,}.")
        set_classes(names)
        now = round(time.time(), 3)
        with open(_pool_path(), "a") as pool:
            for image, label in zip(pixels, labels, strict=True):
                pool.write(json.dumps({"id": secrets.token_hex(6), "t": now,
                                       "label": names[int(label)],
                                       "pixels": classroom.encode_image(image)}) + "\n")
    return len(labels)
