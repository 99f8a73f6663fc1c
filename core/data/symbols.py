"""New symbols a class teaches a network (the Teach page): the presets, and symbols drawn by
a synthetic hand for the benchmark, the tests and a "fill with examples" button.

Each symbol is strokes in a unit box drawn by the canvas pen (core.data.pen: random size,
place, aspect, slant, rotation, stroke width, a shaky hand) and brought through the canvas
path (core.data.preprocess), so a synthetic example reaches the network as a drawing would.
"""

from __future__ import annotations

import numpy as np

from core.data import non_digits, pen, preprocess

MIN_CLASSES, MAX_CLASSES = 2, 10
MAX_NAME_LENGTH = 12
PRESETS = {
    "Operators": ("+", "−", "×", "÷", "="),
    "Shapes": ("circle", "triangle", "square", "star"),
    "Letters": ("A", "B", "C"),
}
MAX_DEGREES = 15.0  # steadier than a doodle: a × turned 45 degrees is a +
# People never draw a symbol the same way twice: each stroke lands shifted, stretched and
# with its own wobble, besides the pen's size, place, slant and rotation.
STROKE_SHIFT, STROKE_STRETCH, POINT_JITTER = 0.12, 0.25, 0.04

_DOT = 0.07


def _dot(x: float, y: float) -> pen.Stroke:
    return pen.circle(x, y, _DOT, points=12)


STROKES: dict[str, list[pen.Stroke]] = {
    "+": [[(0.5, 0.0), (0.5, 1.0)], [(0.0, 0.5), (1.0, 0.5)]],
    "−": [[(0.0, 0.5), (1.0, 0.5)]],
    "×": [[(0.0, 0.0), (1.0, 1.0)], [(1.0, 0.0), (0.0, 1.0)]],
    "÷": [[(0.0, 0.5), (1.0, 0.5)], _dot(0.5, 0.15), _dot(0.5, 0.85)],
    "=": [[(0.0, 0.3), (1.0, 0.3)], [(0.0, 0.7), (1.0, 0.7)]],
    "circle": [pen.circle(0.5, 0.5, 0.5, 0, 370, 50)],
    "triangle": non_digits.triangle(np.random.default_rng(0)),
    "square": non_digits.square(np.random.default_rng(0)),
    "star": [non_digits.pentagram()],
    **non_digits.LETTERS,
    "B": [[(0.0, 1.0), (0.0, 0.0), (0.6, 0.0), (0.85, 0.12), (0.85, 0.35), (0.6, 0.48),
           (0.0, 0.48)], [(0.6, 0.48), (0.95, 0.62), (0.95, 0.86), (0.65, 1.0), (0.0, 1.0)]],
    "C": [pen.circle(0.5, 0.5, 0.5, 40, 320)],
    "D": [[(0.0, 0.0), (0.0, 1.0)], pen.circle(0.0, 0.5, 0.5, -90, 90)],
    "U": [[(0.0, 0.0), (0.0, 0.6)] + pen.circle(0.5, 0.6, 0.5, 180, 0, 20)
          + [(1.0, 0.6), (1.0, 0.0)]],
}


def parse_classes(text: str) -> tuple[str, ...]:
    """Return the class names typed as "a, b, c" (or one character each, "ABC"), checked:
    MIN_CLASSES to MAX_CLASSES distinct names of at most MAX_NAME_LENGTH characters."""
    parts = [part.strip() for part in text.split(",")] if "," in text else list(text.strip())
    names = tuple(part for part in parts if part and not part.isspace())
    if len(set(names)) != len(names):
        raise ValueError("Each class needs its own name; " +
                         ", ".join(sorted({n for n in names if names.count(n) > 1})) +
                         " is named twice.")
    if not MIN_CLASSES <= len(names) <= MAX_CLASSES:
        raise ValueError(f"Name {MIN_CLASSES} to {MAX_CLASSES} classes, separated by commas "
                         f"(there are {len(names)}).")
    if too_long := [name for name in names if len(name) > MAX_NAME_LENGTH]:
        raise ValueError(f"Class names are at most {MAX_NAME_LENGTH} characters: "
                         f"{too_long[0]!r} is longer.")
    return names


def drawable(names: tuple[str, ...]) -> bool:
    """Whether the synthetic hand knows how to draw every one of these classes."""
    return all(name in STROKES for name in names)


def draw(name: str, rng: np.random.Generator) -> np.ndarray:
    """Return one synthetic drawing of a symbol through the canvas path: (28, 28) in [0, 1]."""
    strokes = [_varied(stroke, rng) for stroke in STROKES[name]]
    return preprocess.to_mnist(pen.render(strokes, rng, max_degrees=MAX_DEGREES))


def _varied(stroke: pen.Stroke, rng: np.random.Generator) -> pen.Stroke:
    """One stroke as a hand draws it: moved, stretched about its centre, and wobbled."""
    points = np.asarray(stroke, np.float64)
    centre = points.mean(axis=0)
    stretch = 1.0 + rng.uniform(-STROKE_STRETCH, STROKE_STRETCH, 2)
    shift = rng.uniform(-STROKE_SHIFT, STROKE_SHIFT, 2)
    moved = centre + shift + (points - centre) * stretch
    # A smooth wobble: random offsets at four places along the stroke, interpolated.
    along = np.linspace(0.0, 3.0, len(points))
    knots = rng.normal(0, POINT_JITTER, (4, 2))
    moved += np.stack([np.interp(along, np.arange(4), knots[:, axis]) for axis in (0, 1)], 1)
    return [tuple(point) for point in moved]


def examples(names: tuple[str, ...], per_class: int, seed: int = 0) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """Return `per_class` drawings of each named symbol, (n, 28, 28) float32, and their class
    indices, the classes taken in turn."""
    rng = np.random.default_rng(seed)
    labels = np.tile(np.arange(len(names)), per_class)
    images = np.stack([draw(names[label], rng) for label in labels]) if len(labels) else (
        np.zeros((0, 28, 28), np.float32))
    return images.astype(np.float32), labels.astype(np.int64)
