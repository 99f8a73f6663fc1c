"""The trash: what a lecturer deleted (lab runs with their models, the class drawings)
waits here until Home empties it, so one click never loses work.

Each deletion is a folder `<home>/trash/<id>/` holding the moved files at their paths
relative to the home folder, and `what.json`, written first, with a title and those paths.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from core import settings

RECORD = "what.json"


@dataclass(frozen=True)
class Item:
    """One deletion: what it was, when, and its files (relative to the home folder)."""

    id: str
    title: str
    deleted_at: float
    files: tuple[str, ...]


def _root() -> Path:
    folder = settings.home_dir() / "trash"
    folder.mkdir(exist_ok=True)
    return folder


def discard(title: str, paths: list[Path]) -> Item:
    """Move files of the home folder into a new trash item and return it."""
    home = settings.home_dir()
    present = [path for path in paths if path.exists()]
    item = Item(f"{time.time_ns():x}", title, time.time(),
                tuple(str(path.relative_to(home)) for path in present))
    folder = _root() / item.id
    folder.mkdir()
    (folder / RECORD).write_text(json.dumps(asdict(item)))
    for path, relative in zip(present, item.files, strict=True):
        target = folder / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
    return item


def items() -> list[Item]:
    """Every deletion in the trash, newest first (an unreadable record is skipped)."""
    found = []
    for record in _root().glob(f"*/{RECORD}"):
        try:
            values = json.loads(record.read_text())
            found.append(Item(**{**values, "files": tuple(values["files"])}))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return sorted(found, key=lambda item: -item.deleted_at)


def restore(item_id: str) -> Item:
    """Put a deletion's files back where they were; raises ValueError, moving nothing, when
    one of those places is taken (a newer run got its number) or the item is gone."""
    item = next((item for item in items() if item.id == item_id), None)
    if item is None:
        raise ValueError("That deletion is no longer in the trash.")
    home, folder = settings.home_dir(), _root() / item_id / "files"
    taken = [relative for relative in item.files if (home / relative).exists()]
    if taken:
        raise ValueError(f"{item.title} cannot be put back: {taken[0]} exists again "
                         "(something newer took its place).")
    for relative in item.files:
        source = folder / relative
        if source.exists():
            (home / relative).parent.mkdir(parents=True, exist_ok=True)
            source.replace(home / relative)
    shutil.rmtree(_root() / item_id)
    return item


def empty() -> None:
    """Delete everything in the trash for good."""
    for folder in _root().iterdir():
        shutil.rmtree(folder, ignore_errors=True)
