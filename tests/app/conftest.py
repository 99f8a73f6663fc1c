"""AppTest helpers: run the real app script, then move to a page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_page(page: str | None = None) -> AppTest:
    """Run app.py (navigation and all) and switch to `page` (a path under views/)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
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
