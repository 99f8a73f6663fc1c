"""Digits as the canvas sends them, and pictures as files: shared by tests and benchmarks."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from core.data import datasets

CANVAS = 280


def canvas_rgba(gray: np.ndarray) -> np.ndarray:
    """Pack a grey (H, W) uint8 drawing, white on black, into the canvas's RGBA."""
    rgba = np.zeros((*gray.shape, 4), np.uint8)
    rgba[..., :3] = gray[..., None]
    rgba[..., 3] = 255
    return rgba


def upscale_digit(digit: np.ndarray, size: int = CANVAS) -> np.ndarray:
    """Enlarge a 28x28 uint8 digit to the canvas size, smoothly."""
    return np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.BILINEAR))


def digit_canvas(index: int, size: int = CANVAS) -> np.ndarray:
    """An MNIST test digit drawn as the canvas would send it: (size, size, 4) RGBA uint8."""
    return canvas_rgba(upscale_digit(datasets.load("mnist").x_test[index], size))


def png_bytes(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def canvas_state(rgba: np.ndarray) -> dict:
    """The canvas component's session-state value for a drawing (the component's own shape)."""
    encoded = base64.b64encode(png_bytes(rgba)).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}]},
                        "data": f"data:image/png;base64,{encoded}"}}
