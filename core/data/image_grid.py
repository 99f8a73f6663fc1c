"""Sample grids as pictures: tiled, enlarged without blur, saved as PNG or an animated GIF."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

GAP_SHADE = 60  # the thin grey lines between tiles
NUMBER_SHADE = (250, 190, 60)  # amber: reads on white ink and on the black background


def tile(images: np.ndarray, columns: int, scale: int = 3, gap: int = 2,
         numbers: Sequence[int] = ()) -> np.ndarray:
    """Lay out images (n, H, W) or colour (n, H, W, 3), uint8 or floats in [0, 1], as one
    uint8 picture with each pixel enlarged to scale x scale (nearest neighbour: sharp digits
    on a projector); with `numbers`, one per image, written in the tiles' corners (colour)."""
    images = to_uint8(images).repeat(scale, axis=1).repeat(scale, axis=2)
    count, height, width = images.shape[:3]
    rows = -(-count // columns)
    picture = np.full((rows * (height + gap) + gap, columns * (width + gap) + gap,
                       *images.shape[3:]), GAP_SHADE, np.uint8)
    corners = [(gap + (index // columns) * (height + gap), gap + (index % columns) * (width + gap))
               for index in range(count)]
    for image, (top, left) in zip(images, corners, strict=True):
        picture[top : top + height, left : left + width] = image
    if not len(numbers):
        return picture
    canvas = Image.fromarray(picture).convert("RGB")
    draw, font = ImageDraw.Draw(canvas), ImageFont.load_default(size=max(9, height // 5))
    for number, (top, left) in zip(numbers, corners, strict=True):
        draw.text((left + 2, top + 1), str(number), fill=NUMBER_SHADE, font=font)
    return np.asarray(canvas)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Return images as uint8: unchanged if they are already, else floats in [0, 1] scaled."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    return np.round(np.clip(images, 0.0, 1.0) * 255).astype(np.uint8)


def png_bytes(picture: np.ndarray, quick: bool = False) -> bytes:
    """Encode a uint8 picture as PNG; `quick` for one sent every few seconds while a job
    trains: about 5 times faster to encode than the default, for a file 15 % larger."""
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG", compress_level=1 if quick else 6)
    return buffer.getvalue()


def gif_bytes(pictures: list[np.ndarray], frame_ms: int = 120, hold_last_ms: int = 1500) -> bytes:
    """Encode uint8 pictures of one size as a looping animated GIF that rests on the last."""
    frames = [Image.fromarray(picture) for picture in pictures]
    durations = [frame_ms] * (len(frames) - 1) + [hold_last_ms]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:],
                   duration=durations, loop=0)
    return buffer.getvalue()
