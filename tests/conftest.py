"""Shared fixtures: a private NEURAL_CANVAS_HOME per test, with the real datasets linked in."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Tests decide themselves what trains; the app must not start jobs behind their back.
os.environ["NEURAL_CANVAS_AUTOTRAIN"] = "0"

import base64  # noqa: E402
import io  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from core import data, settings, training  # noqa: E402
from core.zoo import TrainConfig  # noqa: E402

REAL_DATA_DIR = settings.data_dir()


def link_home(home: Path) -> Path:
    """Make `home` a Neural Canvas home whose data folder is the real, verified cache."""
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "data").exists():
        (home / "data").symlink_to(REAL_DATA_DIR, target_is_directory=True)
    return home


@pytest.fixture
def nc_home(tmp_path, monkeypatch) -> Path:
    """An empty model store, the real datasets."""
    home = link_home(tmp_path / "home")
    monkeypatch.setenv(settings.HOME_ENV, str(home))
    return home


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory) -> Path:
    """A home with a real MLP and CNN trained once per session (about half a minute)."""
    home = link_home(tmp_path_factory.mktemp("trained") / "home")
    previous = os.environ.get(settings.HOME_ENV)
    os.environ[settings.HOME_ENV] = str(home)
    try:
        training.train_classifier("mlp", config=TrainConfig(optimizer="rmsprop", epochs=2))
        training.train_classifier("cnn_report", config=TrainConfig(epochs=1))
    finally:
        if previous is None:
            os.environ.pop(settings.HOME_ENV)
        else:
            os.environ[settings.HOME_ENV] = previous
    return home


@pytest.fixture
def use_trained(trained_home, monkeypatch) -> Path:
    monkeypatch.setenv(settings.HOME_ENV, str(trained_home))
    return trained_home


def digit_canvas(index: int, size: int = 280) -> np.ndarray:
    """An MNIST test digit drawn as the canvas would send it: (size, size, 4) RGBA uint8."""
    digit = data.load("mnist").x_test[index]
    big = np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.BILINEAR))
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3] = big[..., None]
    rgba[..., 3] = 255
    return rgba


def png_bytes(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def canvas_state(rgba: np.ndarray) -> dict:
    """The canvas component's session-state value for a drawing (the component's own shape)."""
    encoded = base64.b64encode(png_bytes(rgba)).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}]},
                        "data": f"data:image/png;base64,{encoded}"}}
