"""The promises of the security section, checked in the source: nothing a user supplies is
unpickled, models load in safe mode only from the store, no user text becomes HTML, the
server stays on localhost and refuses big uploads unless told otherwise."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_SOURCES = [*sorted((ROOT / "core").rglob("*.py")), *sorted((ROOT / "ui").glob("*.py")),
               *sorted((ROOT / "views").glob("*.py")), ROOT / "app.py"]
# The one place that renders HTML: a network's answer (its panel on the Draw page, Try it on
# the Teach page) and small pictures, every text in them escaped.
HTML_ALLOWED = {"ui/charts.py"}


def sources() -> dict[str, str]:
    return {str(path.relative_to(ROOT)): path.read_text() for path in APP_SOURCES}


def test_nothing_is_unpickled():
    for name, text in sources().items():
        assert not re.search(r"^\s*(import|from) (c?pickle|dill|joblib)\b", text, re.M), name
        assert "allow_pickle=True" not in text, name
        for call in re.findall(r"np\.load\([^)]*\)", text):
            assert "allow_pickle=False" in call or name == "core/training/export.py", (name, call)


def test_an_answer_is_escaped_before_it_is_html():
    """A class name on the Teach page is whatever the instructor typed."""
    text = (ROOT / "ui" / "charts.py").read_text()
    assert "html.escape(text)" in text


def test_models_load_in_safe_mode_and_only_in_the_store():
    loaders = {name: text for name, text in sources().items()
               if re.search(r"load_model\(", text)}
    assert set(loaders) == {"core/store.py"}
    calls = re.findall(r"load_model\([^)]*\)", loaders["core/store.py"])
    assert calls and all("safe_mode=True" in call for call in calls)


def test_html_is_rendered_in_one_known_place_only():
    for name, text in sources().items():
        if name not in HTML_ALLOWED:
            assert "unsafe_allow_html=True" not in text, name


def test_the_server_listens_on_localhost_and_limits_uploads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "localhost"
    assert config["server"]["maxUploadSize"] <= 10
    assert "HOST ?= $(or $(NEURAL_CANVAS_HOST),localhost)" in (ROOT / "Makefile").read_text()
