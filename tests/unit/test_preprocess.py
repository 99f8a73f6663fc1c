"""MNIST-style preprocessing of drawings and uploads."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from core.data import datasets, preprocess
from tests.drawings import digit_canvas, png_bytes


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero((image > 0.05).any(axis=1))
    cols = np.flatnonzero((image > 0.05).any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def test_centre_of_mass_lands_at_14_14_wherever_the_digit_was_drawn():
    canvas = np.zeros((280, 280), np.float32)
    canvas[20:120, 170:200] = 1.0  # a bar in the top-right corner
    canvas[20:40, 120:200] = 1.0
    image = preprocess.to_mnist(canvas)
    assert image.shape == (28, 28)
    row, col = ndimage.center_of_mass(image)
    assert abs(row - 14.0) < 0.05 and abs(col - 14.0) < 0.05


def test_aspect_ratio_is_kept_and_the_long_side_is_20():
    canvas = np.zeros((280, 280), np.float32)
    canvas[40:240, 130:170] = 1.0  # 200 tall, 40 wide: a "1"
    height, width = ink_box(preprocess.to_mnist(canvas))
    assert height in (20, 21, 22)  # 20, plus the sub-pixel shift's blur
    assert 4 <= width <= 7


def test_an_mnist_digit_survives_the_round_trip_through_the_canvas():
    # MNIST digits are already made this way, so scaling one up to the canvas and
    # preprocessing it must give back nearly the same 28x28 image.
    for index in range(5):
        original = datasets.load("mnist").x_test[index] / 255.0
        image = preprocess.from_canvas(digit_canvas(index))
        assert np.abs(image - original).mean() < 0.08
        assert np.corrcoef(image.ravel(), original.ravel())[0, 1] > 0.85


@pytest.mark.parametrize("canvas, message", [
    (np.zeros((280, 280)), "empty"),
    (np.pad(np.ones((10, 10)), 135), "dot"),
    (np.ones((280, 280)), "almost all ink"),
])
def test_no_digit_is_refused_with_a_message(canvas, message):
    with pytest.raises(preprocess.EmptyDrawing, match=message):
        preprocess.to_mnist(canvas.astype(np.float32))


def test_an_upload_with_no_ink_is_called_a_picture_not_a_canvas():
    with pytest.raises(preprocess.EmptyDrawing, match="the picture is empty"):
        preprocess.from_upload(png_bytes(np.full((60, 40), 250, np.uint8)))


def test_canvas_alpha_is_ink():
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[60:220, 130:150] = (255, 255, 255, 255)
    rgba[0:50, 0:50, :3] = 255  # bright but fully transparent: not ink
    assert ink_box(preprocess.from_canvas(rgba))[0] >= 20


def dark_on_light_png() -> bytes:
    paper = np.full((300, 200), 235, np.uint8)
    paper[50:250, 90:110] = 20
    return png_bytes(paper)


def test_dark_ink_on_light_paper_is_inverted():
    gray = preprocess.gray_from_upload(dark_on_light_png())
    assert gray[150, 100] > 0.9 and gray[5, 5] < 0.1


@pytest.mark.parametrize("fmt", ["JPEG", "BMP", "GIF"])
def test_common_formats_are_read(fmt):
    paper = Image.open(io.BytesIO(dark_on_light_png())).convert("RGB")
    buffer = io.BytesIO()
    paper.save(buffer, format=fmt)
    assert ink_box(preprocess.from_upload(buffer.getvalue()))[0] >= 19


def test_sixteen_bit_palette_and_animated_images():
    deep = np.zeros((100, 100), np.uint16)
    deep[20:80, 45:55] = 60000
    buffer = io.BytesIO()
    Image.fromarray(deep).save(buffer, format="PNG")
    assert preprocess.from_upload(buffer.getvalue()).max() > 0.9

    palette = Image.open(io.BytesIO(dark_on_light_png())).convert("P")
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG")
    assert ink_box(preprocess.from_upload(buffer.getvalue()))[0] >= 19

    frames = [Image.open(io.BytesIO(dark_on_light_png())).convert("L"), Image.new("L", (200, 300))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    assert ink_box(preprocess.from_upload(buffer.getvalue()))[0] >= 19


def test_transparent_background_keeps_the_ink():
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[20:80, 45:55] = (0, 0, 0, 255)  # black ink on transparency
    image = preprocess.from_upload(png_bytes(rgba))
    assert image.max() > 0.9


@pytest.mark.parametrize("payload, message", [
    (b"this is not a picture", "not a picture"),
    (dark_on_light_png()[:200], "truncated or damaged"),
])
def test_unreadable_uploads_say_why(payload, message):
    with pytest.raises(preprocess.UnreadableImage, match=message):
        preprocess.from_upload(payload)


def test_huge_images_are_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, format="PNG")
    with pytest.raises(preprocess.UnreadableImage, match="10000x10000"):
        preprocess.from_upload(buffer.getvalue())
