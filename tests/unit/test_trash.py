"""The trash: deletions wait there, come back whole, and go for good only when emptied."""

from __future__ import annotations

import numpy as np
import pytest

from core import classroom, settings, trash


def test_discarded_files_come_back_where_they_were(nc_home):
    record = nc_home / "lab" / "3.json"
    model = nc_home / "models" / "mnist" / "versions" / "lab_3" / "1.json"
    for path, text in ((record, "run"), (model, "card")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    item = trash.discard("Lab run 3", [record, model, nc_home / "never-there"])
    assert not record.exists() and not model.exists()
    assert [found.title for found in trash.items()] == ["Lab run 3"]
    assert len(item.files) == 2
    trash.restore(item.id)
    assert record.read_text() == "run" and model.read_text() == "card"
    assert trash.items() == []


def test_a_taken_place_is_not_overwritten(nc_home):
    record = nc_home / "lab" / "5.json"
    record.parent.mkdir(parents=True)
    record.write_text("old run 5")
    item = trash.discard("Lab run 5", [record])
    record.write_text("a newer run 5")
    with pytest.raises(ValueError, match="cannot be put back"):
        trash.restore(item.id)
    assert record.read_text() == "a newer run 5"
    assert [found.id for found in trash.items()] == [item.id]


def test_emptying_deletes_for_good(nc_home):
    path = nc_home / "class" / "drawings.jsonl"
    path.parent.mkdir()
    path.write_text("x")
    item = trash.discard("drawings", [path])
    trash.empty()
    assert trash.items() == []
    with pytest.raises(ValueError, match="no longer in the trash"):
        trash.restore(item.id)
    assert not any((settings.home_dir() / "trash").iterdir())


def test_cleared_class_drawings_can_be_put_back(nc_home):
    for digit in range(3):
        classroom.add_drawing(np.full((28, 28), digit / 10, np.float32), digit)
    item = classroom.clear_drawings()
    assert classroom.drawings_count() == 0 and item.title == "3 class drawings"
    assert classroom.clear_drawings() is None  # nothing to clear
    trash.restore(item.id)
    assert classroom.drawings().meant.tolist() == [0, 1, 2]
