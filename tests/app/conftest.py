"""AppTest helpers: run the real app script, then move to a page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import classroom, settings
from ui import runtime

ROOT = Path(__file__).resolve().parents[2]
CODE = "K7QF-M2XD"


@pytest.fixture(autouse=True)
def no_job_outlives_its_test(monkeypatch):
    """Stop every job a test leaves behind: the server's one training slot is shared by
    every AppTest in this process, so a left-over job would hold it, and a core, into the
    next test. (It asks for monkeypatch so that the test's home is still set while a
    stopping job saves into it.)"""
    yield
    manager = runtime.job_manager()
    for job in manager.active():
        job.stop()
        manager.wait(job, timeout=60)


def open_page(page: str | None = None) -> AppTest:
    """Run app.py (navigation and all) and switch to `page` (a path under views/)."""
    # A page's first run builds its networks' traced functions: well under a minute, but a
    # clean-clone suite's Probe page took longer while the other worker trained beside it.
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=150)
    app.run()
    if page is not None:
        app.switch_page(page)
        app.run()
    assert not app.exception, app.exception
    return app


def store_files(home: Path) -> dict[str, bytes]:
    """Every file of the model store under `home`, byte for byte: to show it was untouched."""
    return {str(path.relative_to(home)): path.read_bytes()
            for path in sorted((home / "models").rglob("*")) if path.is_file()}


def text_of(app: AppTest) -> str:
    """All the text a person would read on the page, in one string."""
    kinds = ("markdown", "caption", "info", "success", "warning", "error", "title", "subheader")
    parts = [element.value for kind in kinds
             for element in getattr(app, kind)]
    return "\n".join(str(part) for part in parts)


@pytest.fixture
def draw_page(use_trained) -> AppTest:
    return open_page("views/draw.py")


@pytest.fixture
def student(monkeypatch):
    """This machine's browser counts as a student's: only the code makes an instructor."""
    monkeypatch.setenv(settings.TRUST_LOCAL_ENV, "0")
    monkeypatch.setenv(settings.INSTRUCTOR_CODE_ENV, CODE)
    monkeypatch.setattr(classroom, "_code", None)
