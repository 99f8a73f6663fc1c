"""Classroom mode in core: the instructor code, who is the instructor, the shared addresses, and
the class pool of drawings (bounded, rate-limited, robust to a damaged line)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from core import classroom, settings
from core.data import datasets


@pytest.fixture
def code(monkeypatch) -> str:
    monkeypatch.setenv(settings.INSTRUCTOR_CODE_ENV, "K7QF-M2XD")
    monkeypatch.setattr(classroom, "_code", None)
    return "K7QF-M2XD"


def test_a_new_code_is_long_unambiguous_and_different_each_time():
    codes = {classroom.new_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        letters = code.replace("-", "")
        assert len(letters) == classroom.CODE_LENGTH
        assert set(letters) <= set(classroom.CODE_ALPHABET)


def test_the_code_matches_however_it_is_typed(code):
    assert classroom.instructor_code() == code
    for typed in (code, "k7qf m2xd", " K7QFM2XD "):
        assert classroom.code_matches(typed)
    for wrong in (None, "", "K7QF-M2XE", "K7QF", code + "A"):
        assert not classroom.code_matches(wrong)


def test_the_local_browser_or_the_code_holder_is_the_instructor(code, monkeypatch):
    assert classroom.is_instructor(None, None)  # Streamlit reports loopback as no address
    assert classroom.is_instructor("127.0.0.1", None)
    assert not classroom.is_instructor("192.168.1.23", None)
    assert not classroom.is_instructor("192.168.1.23", "WRONG-CODE")
    assert classroom.is_instructor("192.168.1.23", code)
    monkeypatch.setenv(settings.TRUST_LOCAL_ENV, "0")  # behind a proxy: the code only
    assert not classroom.is_instructor(None, None)
    assert classroom.is_instructor(None, code)


def test_only_a_non_loopback_address_is_shared():
    for local in ("localhost", "127.0.0.1", "::1", None):
        assert not classroom.is_shared(local) and classroom.share_urls(local, 8501) == []
    assert classroom.share_urls("192.168.1.5", 8600) == ["http://192.168.1.5:8600"]
    urls = classroom.share_urls("0.0.0.0", 8501)
    assert urls and all(url.startswith("http://") and url.endswith(":8501") for url in urls)
    assert not any("127.0.0." in url for url in urls)


def test_drawings_are_pooled_with_the_digit_meant(nc_home):
    digits = datasets.load("mnist").x_test[:3].astype(np.float32) / 255.0
    for digit, meant in zip(digits, (7, 2, 1), strict=True):
        classroom.add_drawing(digit, meant)
    pool = classroom.drawings()
    assert len(pool) == classroom.drawings_count() == 3
    assert pool.meant.tolist() == [7, 2, 1]
    np.testing.assert_allclose(pool.images, digits, atol=1 / 255)
    assert "pickle" not in (nc_home / "class" / "drawings.jsonl").read_text()
    classroom.clear_drawings()
    assert len(classroom.drawings()) == 0


def test_bad_drawings_floods_and_a_full_pool_are_refused(nc_home, monkeypatch):
    blank = np.zeros((28, 28), np.float32)
    with pytest.raises(ValueError, match="28x28"):
        classroom.add_drawing(np.zeros((5, 5)), 3)
    with pytest.raises(ValueError, match="0-9"):
        classroom.add_drawing(blank, 12)
    sent = classroom.add_drawing(blank, 3)
    with pytest.raises(classroom.TooSoon):
        classroom.add_drawing(blank, 3, last_sent=sent)
    monkeypatch.setattr(classroom, "MAX_DRAWINGS", 2)
    classroom.add_drawing(blank, 4)
    with pytest.raises(classroom.PoolFull, match="clear"):
        classroom.add_drawing(blank, 5)
    assert classroom.drawings_count() == 2


def test_a_damaged_line_is_skipped_not_fatal(nc_home):
    classroom.add_drawing(np.zeros((28, 28)), 1)
    with open(nc_home / "class" / "drawings.jsonl", "a") as pool:
        pool.write('{"t": 1, "meant": 3, "pixels": "AAAA"}\n{"t": 2, "mea')  # a full disk
    pool = classroom.drawings()
    assert pool.meant.tolist() == [1]


def test_many_sessions_sending_at_once_lose_nothing(nc_home):
    def send(digit: int) -> None:
        for _ in range(10):
            classroom.add_drawing(np.full((28, 28), digit / 10, np.float32), digit)

    threads = [threading.Thread(target=send, args=(d,)) for d in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pool = classroom.drawings()
    assert len(pool) == 80 and sorted(np.bincount(pool.meant).tolist()) == [10] * 8
