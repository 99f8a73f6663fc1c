"""Turn a drawing or an uploaded picture into the 28x28 image an MNIST model expects.

MNIST's own recipe: crop to the ink, scale the ink's box to fit 20x20 keeping its
aspect ratio, and place it in a 28x28 field so that its centre of mass sits at the
centre. The MNIST training digits have their centre of mass at (14.0, 14.0) on
average (row, column, pixel indices), so that is where ours goes.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

SIDE = 28
BOX = 20
CENTRE = (14.0, 14.0)
# A pixel is ink where it is brighter than this fraction of the brightest pixel.
INK_THRESHOLD = 0.2
# Ink whose box is smaller than this fraction of the picture is a dot, not a digit.
MIN_EXTENT = 0.08
# A picture this full of ink is paint, not a digit.
MAX_INK_FRACTION = 0.6
# Decoding stops here: a bigger picture is shrunk while it is read.
MAX_DECODE_SIDE = 2048
MAX_PIXELS = 50_000_000


class EmptyDrawing(ValueError):
    """The drawing has no digit in it (nothing, a dot, or the whole canvas painted)."""


class UnreadableImage(ValueError):
    """An uploaded file is not a picture this app can read."""


def gray_from_canvas(rgba: np.ndarray) -> np.ndarray:
    """Return the ink of a canvas's RGBA image (H, W, 4) uint8 as (H, W) float32 in [0, 1].

    The canvas draws white strokes on a transparent or black background, so ink is
    brightness weighted by opacity.
    """
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
        raise ValueError(f"expected an (H, W, 4) RGBA image, got shape {rgba.shape}")
    # Channel by channel: numpy's max over a last axis of 3 took 20x longer (on every stroke).
    brightness = np.maximum(np.maximum(rgba[..., 0], rgba[..., 1]), rgba[..., 2])
    if rgba.shape[2] == 4:
        return brightness * (rgba[..., 3] * np.float32(1 / 255**2))
    return brightness * np.float32(1 / 255)


def gray_from_upload(data: bytes) -> np.ndarray:
    """Decode an uploaded picture to (H, W) float32 in [0, 1] with bright ink on dark.

    Any size, PNG/JPEG/GIF/BMP, colour or grey, 8 or 16 bit; dark-on-light pictures
    are detected and inverted. Raises UnreadableImage with a message for the user.
    """
    try:
        with warnings.catch_warnings():
            # Our own, lower limit below says what to do; Pillow's warning would not.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableImage(
                    f"The picture is {image.width}x{image.height} pixels; the limit is "
                    f"{MAX_PIXELS // 1_000_000} megapixels. Shrink it and upload it again."
                )
            image.draft("L", (MAX_DECODE_SIDE, MAX_DECODE_SIDE))  # JPEG: decode shrunk
            image.seek(0)  # the first frame of an animation
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_DECODE_SIDE, MAX_DECODE_SIDE))
            gray, alpha = _luminance_and_alpha(image)
    except UnidentifiedImageError:
        raise UnreadableImage(
            "This file is not a picture that can be read: upload a PNG, JPEG, GIF or BMP."
        ) from None
    except Image.DecompressionBombError:
        raise UnreadableImage(
            f"The picture is too large; the limit is {MAX_PIXELS // 1_000_000} megapixels."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        if isinstance(error, UnreadableImage):
            raise
        raise UnreadableImage(
            f"The picture could not be decoded; it may be truncated or damaged ({error})."
        ) from None
    if alpha is not None and alpha.min() < 0.98:
        # Ink on a transparent background: put it on the background it contrasts with.
        opaque = gray[alpha > 0.5]
        background = 0.0 if opaque.size and np.median(opaque) > 0.5 else 1.0
        gray = gray * alpha + background * (1.0 - alpha)
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(border) > 0.5:
        gray = 1.0 - gray
    return gray


def _luminance_and_alpha(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(image, dtype=np.float32)
        top = 65535.0 if values.max() > 255 else 255.0
        return np.clip(values / top, 0.0, 1.0), None
    if image.mode == "F":
        values = np.asarray(image, dtype=np.float32)
        span = float(values.max() - values.min()) or 1.0
        return (values - values.min()) / span, None
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    rgba = np.asarray(image.convert("RGBA"), dtype=np.float32) / 255.0
    gray = 0.299 * rgba[..., 0] + 0.587 * rgba[..., 1] + 0.114 * rgba[..., 2]
    return gray, (rgba[..., 3] if has_alpha else None)


def to_mnist(gray: np.ndarray, source: str = "canvas") -> np.ndarray:
    """Return the 28x28 float32 image in [0, 1] that MNIST models expect.

    `gray` is (H, W) float in [0, 1], bright ink on a dark background. Raises
    EmptyDrawing, naming the `source` ("canvas", "picture"), when there is no digit to read.
    """
    gray = np.asarray(gray, dtype=np.float32)
    peak = float(gray.max()) if gray.size else 0.0
    if peak < 0.1:
        raise EmptyDrawing(f"Nothing to read yet: the {source} is empty.")
    ink = gray > INK_THRESHOLD * peak
    if ink.mean() > MAX_INK_FRACTION:
        raise EmptyDrawing(f"The {source} is almost all ink: " + (
            "clear it and draw one thing." if source == "canvas" else "one digit is wanted."))
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
    if max(height, width) < MIN_EXTENT * max(gray.shape):
        raise EmptyDrawing("That is only a dot: draw it larger.")
    crop = gray[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] / peak
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Averaging when shrinking anti-aliases the strokes as MNIST's scanner did.
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    small = np.asarray(Image.fromarray(crop).resize(size, resample))
    field = np.zeros((SIDE, SIDE), np.float32)
    top, left = (SIDE - size[1]) // 2, (SIDE - size[0]) // 2
    field[top : top + size[1], left : left + size[0]] = small
    com_row, com_col = ndimage.center_of_mass(field)
    shifted = ndimage.shift(field, (CENTRE[0] - com_row, CENTRE[1] - com_col), order=1)
    return np.clip(shifted, 0.0, 1.0)


def from_canvas(rgba: np.ndarray) -> np.ndarray:
    """Return the model input (28, 28) for a canvas drawing; see to_mnist."""
    return to_mnist(gray_from_canvas(rgba))


def from_upload(data: bytes) -> np.ndarray:
    """Return the model input (28, 28) for an uploaded picture; see to_mnist."""
    return to_mnist(gray_from_upload(data), source="picture")
