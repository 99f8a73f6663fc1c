"""The pool of new symbols a class teaches: classes by name, limits, delete, clear, and the
.npz that carries a pool from home to the lecture hall."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

from core import classroom, trash
from core.data import symbol_pool, symbols


def blank(value: float = 0.5) -> np.ndarray:
    return np.full((28, 28), value, np.float32)


def test_class_names_are_checked():
    assert symbols.parse_classes("+, −, ×") == ("+", "−", "×")
    assert symbols.parse_classes("ABC") == ("A", "B", "C")
    for bad, says in (("A", "2 to 10"), ("A, A, B", "twice"), (",".join("abcdefghijk"), "11"),
                      ("circle, a very long name here", "at most 12")):
        with pytest.raises(ValueError, match=says):
            symbols.parse_classes(bad)


def test_synthetic_symbols_come_through_the_canvas_path():
    images, labels = symbols.examples(("+", "circle"), per_class=3, seed=4)
    assert images.shape == (6, 28, 28) and labels.tolist() == [0, 1, 0, 1, 0, 1]
    assert images.min() >= 0 and images.max() <= 1 and (images.sum(axis=(1, 2)) > 20).all()
    assert np.array_equal(images, symbols.examples(("+", "circle"), 3, seed=4)[0])
    assert symbols.drawable(symbols.PRESETS["Operators"]) and not symbols.drawable(("?", "+"))


def test_examples_keep_their_class_by_name(nc_home):
    assert symbol_pool.classes() == symbol_pool.DEFAULT_CLASSES and len(symbol_pool.read()) == 0
    symbol_pool.set_classes(("A", "B"))
    for label in ("A", "B", "B"):
        symbol_pool.add(blank(), label)
    pool = symbol_pool.read()
    assert pool.classes == ("A", "B") and pool.labels.tolist() == [0, 1, 1]
    assert pool.counts() == [1, 2] and pool.images.shape == (3, 28, 28)
    symbol_pool.set_classes(("B", "C"))  # A's example is hidden, B's are now class 0
    assert symbol_pool.read().labels.tolist() == [0, 0] and symbol_pool.count() == 3
    symbol_pool.set_classes(("A", "B"))
    assert len(symbol_pool.read()) == 3  # nothing was lost


def test_bad_examples_and_floods_are_refused(nc_home, monkeypatch):
    with pytest.raises(ValueError, match="no class"):
        symbol_pool.add(blank(), "?")
    with pytest.raises(ValueError, match="28x28"):
        symbol_pool.add(np.zeros((5, 5)), "+")
    sent = symbol_pool.add(blank(), "+")
    with pytest.raises(classroom.TooSoon):
        symbol_pool.add(blank(), "+", last_sent=sent)
    monkeypatch.setattr(symbol_pool, "MAX_EXAMPLES", 2)
    symbol_pool.add(blank(), "=")
    with pytest.raises(classroom.PoolFull, match="clear"):
        symbol_pool.add(blank(), "=")
    assert symbol_pool.count() == 2


def test_delete_one_and_clear_into_the_trash(nc_home):
    for label in ("+", "−", "×"):
        symbol_pool.add(blank(), label)
    pool = symbol_pool.read()
    assert symbol_pool.remove(pool.ids[1]) and not symbol_pool.remove("no such id")
    assert symbol_pool.read().ids == (pool.ids[0], pool.ids[2])
    item = symbol_pool.clear()
    assert symbol_pool.count() == 0 and item.title == "2 examples of new symbols"
    trash.restore(item.id)
    assert symbol_pool.read().ids == (pool.ids[0], pool.ids[2])
    assert symbol_pool.clear() is not None and symbol_pool.clear() is None


def test_export_and_import_round_trip(nc_home):
    symbol_pool.set_classes(("circle", "star"))
    images, labels = symbols.examples(("circle", "star"), 2, seed=1)
    for image, label in zip(images, labels, strict=True):
        symbol_pool.add(image, ("circle", "star")[label])
    exported = symbol_pool.export_npz()
    with np.load(io.BytesIO(exported), allow_pickle=False) as archive:
        assert archive["images"].dtype == np.uint8 and archive["classes"].tolist() == ["circle",
                                                                                     "star"]
    symbol_pool.clear()
    symbol_pool.set_classes(("+", "="))
    assert symbol_pool.import_npz(exported) == 4
    pool = symbol_pool.read()
    assert pool.classes == ("circle", "star") and pool.labels.tolist() == labels.tolist()
    assert np.abs(pool.images - images).max() <= 1 / 255


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "says"), [
    (b"not a zip at all", "not a readable .npz"),
    (pickle.dumps({"images": 1}), "not a readable .npz"),
    (npz(images=np.zeros((2, 28, 28), np.uint8), labels=np.zeros(2, int)), "no 'classes'"),
    (npz(images=np.zeros((2, 28, 28), np.uint8), labels=np.array([0, 5]),
         classes=np.array(["a", "b"])), "class index 0 to 1"),
    (npz(images=np.zeros((2, 9, 9), np.uint8), labels=np.zeros(2, int),
         classes=np.array(["a", "b"])), "28, 28"),
    (npz(images=np.zeros((1, 28, 28), object), labels=np.zeros(1, int),
         classes=np.array(["a", "b"])), "not a readable .npz"),
])
def test_a_damaged_file_is_refused_with_a_message_and_changes_nothing(nc_home, data, says):
    symbol_pool.add(blank(), "+")
    with pytest.raises(ValueError, match=says):
        symbol_pool.import_npz(data)
    assert symbol_pool.count() == 1 and symbol_pool.classes() == symbol_pool.DEFAULT_CLASSES
