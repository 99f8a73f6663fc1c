"""A person's pen on the 280x280 canvas: strokes given in a unit box are drawn at a random
size, place, aspect, slant and rotation, with a shaky hand and a round pen of random width.

The non-digit drawings (core.data.non_digits) and the new symbols a class teaches
(core.data.symbols) are both drawn this way, then brought through the canvas path
(core.data.preprocess) so they reach a network exactly as a drawing would.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

CANVAS = 280
Stroke = list[tuple[float, float]]  # points (x, y) in a unit box, y down
SHAKE = 0.012  # the hand's tremor, in units of the drawing's size


def circle(cx: float, cy: float, r: float, start: float = 0.0, end: float = 360.0,
           points: int = 40) -> Stroke:
    """An arc (a whole circle by default) as a stroke; angles in degrees, clockwise on screen."""
    angles = np.radians(np.linspace(start, end, points))
    return [(cx + r * np.cos(a), cy + r * np.sin(a)) for a in angles]


def render(strokes: list[Stroke], rng: np.random.Generator, max_degrees: float = 15.0,
           size: tuple[float, float] = (0.4, 0.85)) -> np.ndarray:
    """Return the strokes drawn as the canvas sends them: (280, 280) float32 in [0, 1]."""
    side = rng.uniform(*size) * CANVAS
    aspect = rng.uniform(0.75, 1.25)
    width, height = side * min(1.0, aspect), side * min(1.0, 1 / aspect)
    left, top = rng.uniform(5, CANVAS - width - 5), rng.uniform(5, CANVAS - height - 5)
    angle, slant = np.radians(rng.uniform(-max_degrees, max_degrees)), rng.uniform(-0.2, 0.2)
    cos, sin = np.cos(angle), np.sin(angle)
    image = Image.new("L", (CANVAS, CANVAS), 0)
    pen = ImageDraw.Draw(image)
    pen_width = int(rng.integers(12, 30))
    for stroke in strokes:
        points = np.asarray(stroke, np.float64) + rng.normal(0, SHAKE, (len(stroke), 2))
        x, y = points[:, 0] - 0.5 + slant * (points[:, 1] - 0.5), points[:, 1] - 0.5
        x, y = cos * x - sin * y, sin * x + cos * y
        xy = [(left + width * (a + 0.5), top + height * (b + 0.5))
              for a, b in zip(x, y, strict=True)]
        pen.line(xy, fill=255, width=pen_width, joint="curve")
        for end in (xy[0], xy[-1]):  # a round pen: round ends
            r = pen_width / 2
            pen.ellipse((end[0] - r, end[1] - r, end[0] + r, end[1] + r), fill=255)
    return np.asarray(image, np.float32) / 255.0
