"""Bad input on every page that takes a picture, and bad settings on every page: each gets a
clear message, the page keeps working, and the model store is untouched."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.app.conftest import open_page, store_files, text_of
from tests.drawings import canvas_state, digit_canvas

# Pages that take an upload: (page, key prefix of its input widgets, the source to pick).
UPLOAD_PAGES = [("views/draw.py", "draw"), ("views/inside.py", "inside"),
                ("views/denoise.py", "denoise")]
CANVAS_PAGES = [("views/draw.py", "draw", "Draw"), ("views/denoise.py", "denoise", "Draw here")]
PAGES = ["views/home.py", "views/draw.py", "views/inside.py", "views/denoise.py",
         "views/gan.py", "views/latent.py", "views/lab.py", "views/classroom.py"]


def digit_picture(format: str, mode: str = "L", **save) -> bytes:
    """A real MNIST digit as dark ink on light paper, in the given file format and mode."""
    paper = Image.fromarray(255 - digit_canvas(1, 140)[..., 0]).convert(mode)
    buffer = io.BytesIO()
    paper.save(buffer, format=format, **save)
    return buffer.getvalue()


def sixteen_bit() -> bytes:
    paper = (255 - digit_canvas(1, 140)[..., 0]).astype(np.uint16) * 257
    buffer = io.BytesIO()
    Image.fromarray(paper).save(buffer, format="PNG")  # mode I;16
    return buffer.getvalue()


def animated_gif() -> bytes:
    frames = [Image.fromarray(255 - digit_canvas(i, 140)[..., 0]) for i in (1, 0)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=200)
    return buffer.getvalue()


def huge() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000), 1).save(buffer, format="PNG")
    return buffer.getvalue()


# (file name, bytes, what the page must say; None: the picture is read as a digit)
UPLOADS = [
    ("notes.png", b"Dear students, the exam is on Monday.", "not a picture that can be read"),
    ("cut.png", digit_picture("PNG")[:300], "truncated or damaged"),
    ("cut.jpg", digit_picture("JPEG")[:400], "truncated or damaged"),
    ("huge.png", huge(), "the limit is 50 megapixels"),
    ("too-big.bmp", b"BM" + bytes(11 * 2**20), "the limit is 10 MB"),
    ("deep.png", sixteen_bit(), None),
    ("palette.png", digit_picture("PNG", "P"), None),
    ("animated.gif", animated_gif(), None),
]


@pytest.mark.parametrize(("page", "prefix"), UPLOAD_PAGES)
def test_every_bad_upload_gets_a_message_and_the_store_is_untouched(use_trained, page, prefix):
    before = store_files(use_trained)
    app = open_page(page)
    app.segmented_control(key=f"{prefix}.source").set_value("Upload").run()
    for name, content, message in UPLOADS:
        app.session_state["canvas.image"] = None  # so a read picture shows as a new one
        app.file_uploader(key=f"{prefix}.upload").set_value((name, content, "image/png")).run()
        assert not app.exception, (name, app.exception)
        if message is None:
            assert app.session_state["canvas.image"] is not None, name
            assert not app.error, (name, [e.value for e in app.error])
        else:
            assert message in text_of(app), (name, text_of(app)[-400:])
    assert store_files(use_trained) == before


@pytest.mark.parametrize(("page", "prefix", "source"), CANVAS_PAGES)
def test_an_empty_dotted_or_painted_canvas_asks_for_a_digit(use_trained, page, prefix, source):
    app = open_page(page)
    app.segmented_control(key=f"{prefix}.source").set_value(source).run()
    dot = np.zeros((280, 280, 4), np.uint8)
    dot[140:146, 140:146] = 255
    painted = np.full((280, 280, 4), 255, np.uint8)
    empty = np.zeros((280, 280, 4), np.uint8)
    for canvas, message in ((empty, "the canvas is empty"), (dot, "only a dot"),
                            (painted, "almost all ink")):
        app.session_state[f"{prefix}.canvas.0"] = canvas_state(canvas)
        app.run()
        assert not app.exception and message in text_of(app), message
    app.session_state[f"{prefix}.canvas.0"] = canvas_state(digit_canvas(0))
    app.run()
    assert not app.exception and app.session_state["canvas.image"] is not None


@pytest.mark.parametrize("page", PAGES)
def test_junk_query_parameters_are_ignored(use_trained, page):
    app = open_page(page)
    for name, value in (("level", "9e99"), ("model", "../../etc/passwd"), ("digit", "-1")):
        app.query_params[name] = value
    app.run()
    assert not app.exception


# A slider's value put in the session beyond its range (by code, a stale value, a crafted
# request); values set through the widget itself are clamped by Streamlit.
OUT_OF_RANGE = [("views/draw.py", "draw.stroke", 1000, None),
                ("views/inside.py", "inside.filter", 1000, 0),
                ("views/denoise.py", "denoise.level", 7.5, None),
                ("views/gan.py", "gan.minutes.dcgan_fast", 500, None),
                ("views/latent.py", "latent.steps", 10**6, None)]


@pytest.mark.parametrize(("page", "key", "value", "default"), OUT_OF_RANGE)
def test_an_out_of_range_setting_is_reset_with_a_message(use_trained, page, key, value, default):
    app = open_page()  # the value arrives before the page first draws its slider
    app.session_state["canvas.image"] = np.zeros((28, 28), np.float32)
    app.session_state[key] = value
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert "out of range" in " ".join(toast.value for toast in app.toast)
    assert app.session_state[key] != value
    if default is not None:
        assert app.session_state[key] == default
    assert app.session_state["canvas.image"] is not None  # the drawing is kept


def test_a_missing_dataset_is_explained_on_every_page(tmp_path, monkeypatch):
    from core import settings
    from core.data import datasets

    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path / "no-data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm, no apt-get: no source at all
    monkeypatch.setattr(datasets, "KERAS_TIMEOUT_S", 1)
    for page in PAGES:
        app = open_page(page)  # raises on an exception
        if page == "views/draw.py":
            app.segmented_control(key="draw.source").set_value("Test sample").run()
            assert "python -m core data fetch mnist" in text_of(app)
        assert not app.exception, page
