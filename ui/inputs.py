"""Input widgets the pages share: a picture to upload, an MNIST test digit, and the drawing
that the Draw page leaves in session state for the other pages."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.data import datasets, preprocess
from ui import runtime

SHARED_IMAGE = "canvas.image"  # the latest drawing or upload, 28x28 in [0, 1]
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp"]
CANVAS_SIZE = 280
# (model input 28x28 or None, the true label when known, what to tell the user instead)
Input = tuple[np.ndarray | None, int | None, str | None]


def preprocessed(make: Callable[[], np.ndarray]) -> Input:
    """Run a preprocessing step; share its result, or say what was wrong with the input."""
    try:
        image = make()
    except preprocess.EmptyDrawing as error:
        return None, None, str(error)
    except preprocess.UnreadableImage as error:
        st.error(str(error))
        return None, None, "Try another picture."
    st.session_state[SHARED_IMAGE] = image
    return image, None, None


def stroke_width(key_prefix: str) -> int:
    """The slider for a canvas's stroke width."""
    # Teach's Try it draws it in a fragment, whose out-of-range errors run_page does not see.
    runtime.clamp_setting(f"{key_prefix}.stroke", 8, 40)
    return st.slider("Stroke width", 8, 40, 20, key=f"{key_prefix}.stroke")


def canvas(key_prefix: str, prompt: str = "Draw a digit on the black canvas.",
           stroke: int | None = None) -> Input:
    """A black canvas to draw on in white, with a clear button, and its stroke width slider
    unless the page shows `stroke_width` elsewhere and passes its `stroke`; `prompt` says
    what to draw while it is empty. Bump `clear_canvas(key_prefix)` to empty it."""
    stroke = stroke_width(key_prefix) if stroke is None else stroke
    clears_key = f"{key_prefix}.clears"
    clears = st.session_state.setdefault(clears_key, 0)
    drawing = st_canvas(
        stroke_width=stroke, stroke_color="#FFFFFF", background_color="#000000",
        height=CANVAS_SIZE, width=CANVAS_SIZE, drawing_mode="freedraw",
        return_image_data=True, key=f"{key_prefix}.canvas.{clears}",
    )
    # A callback runs before the page does: one run of the page per Clear, not two.
    st.button("Clear", key=f"{key_prefix}.clear", icon=":material/delete:",
              on_click=clear_canvas, args=(key_prefix,))
    rgba = drawing.image_data  # decoded from the canvas's PNG at each reading
    if rgba is None:
        return None, None, prompt
    return preprocessed(lambda: preprocess.from_canvas(rgba))


def clear_canvas(key_prefix: str) -> None:
    """Empty a canvas (a new key gives a fresh one) and forget the shared drawing."""
    clears_key = f"{key_prefix}.clears"
    st.session_state[clears_key] = st.session_state.get(clears_key, 0) + 1
    st.session_state.pop(SHARED_IMAGE, None)


def upload(key: str) -> Input:
    """A file uploader for one digit's picture."""
    picture = st.file_uploader("A picture of one digit (PNG, JPEG, GIF or BMP; dark ink on "
                               "light paper is fine)", type=UPLOAD_TYPES, key=key)
    if picture is None:
        return None, None, "Upload a picture of a digit."
    limit_mb = st.get_option("server.maxUploadSize")
    if picture.size > limit_mb * 1024 * 1024:  # the browser refuses these; this is the backstop
        st.error(f"{picture.name} is {picture.size / 2**20:.1f} MB; the limit is {limit_mb} MB.")
        return None, None, "Try a smaller picture."
    return preprocessed(lambda: preprocess.from_upload(picture.getvalue()))


def test_sample(key_prefix: str, dataset: str = "mnist") -> Input:
    """A random test digit with its true label, and a button for another one."""
    try:
        test = datasets.load(dataset)
    except datasets.DatasetUnavailable as error:
        st.error(str(error))
        return None, None, "The test digits are not available."
    index_key = f"{key_prefix}.sample_index"
    if st.button("Another test digit", key=f"{key_prefix}.sample", icon=":material/casino:") or (
        index_key not in st.session_state
    ):
        st.session_state[index_key] = int(np.random.default_rng().integers(len(test.y_test)))
    index = st.session_state[index_key]
    label = int(test.y_test[index])
    st.caption(f"MNIST test image #{index}: true label **{label}**")
    return test.x_test[index].astype(np.float32) / 255.0, label, None


def shared_drawing() -> Input:
    """The drawing (or upload) last made on any page, if there is one."""
    image = st.session_state.get(SHARED_IMAGE)
    if image is None:
        st.page_link("views/draw.py", label="Draw a digit first", icon=":material/draw:")
        return None, None, "Nothing drawn yet: draw a digit on the Draw page, upload a " \
                           "picture or take a test digit."
    return image, None, None


# Each input source by the label a page shows for it; each takes the page's key prefix.
SOURCES: dict[str, Callable[[str], Input]] = {
    "Draw": canvas,
    "Draw here": canvas,
    "Your drawing": lambda _prefix: shared_drawing(),
    "Upload": lambda prefix: upload(f"{prefix}.upload"),
    "Test sample": test_sample,
}


def choose(key_prefix: str, sources: tuple[str, ...]) -> Input:
    """Let the user pick one of `sources` (labels of SOURCES, the first preselected)."""
    return SOURCES[source(key_prefix, sources)](key_prefix)


def source(key_prefix: str, sources: tuple[str, ...]) -> str:
    """The control that picks one of `sources`; return the label picked."""
    return st.segmented_control("Input", sources, default=sources[0],
                                key=f"{key_prefix}.source") or sources[0]
