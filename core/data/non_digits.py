"""Drawings that are not digits, as a class draws them on the canvas within a minute of
being told "draw anything": stars, smileys, houses, letters, spirals, scribbles.

Each is drawn with a pen on a 280x280 canvas (random size, place, slant, stroke width and
a shaky hand) and goes through the canvas path (core.data.preprocess), so it reaches a
classifier exactly as a drawing would. They measure the "is it a digit?" flag; the flag
itself is fitted on digits only, so every family here is unseen by it.
"""

from __future__ import annotations

import numpy as np

from core.data import pen, preprocess


def star(_rng: np.random.Generator) -> list[pen.Stroke]:
    corners = [(0.5 + 0.5 * np.cos(np.radians(-90 + 144 * k)),
                0.5 + 0.5 * np.sin(np.radians(-90 + 144 * k))) for k in range(6)]
    return [corners]


def smiley(rng: np.random.Generator) -> list[pen.Stroke]:
    eye = rng.uniform(0.03, 0.06)
    return [pen.circle(0.5, 0.5, 0.5), pen.circle(0.35, 0.38, eye), pen.circle(0.65, 0.38, eye),
            pen.circle(0.5, 0.5, 0.28, 30, 150, 20)]


def house(rng: np.random.Generator) -> list[pen.Stroke]:
    roof = rng.uniform(0.3, 0.45)
    return [[(0.1, roof), (0.1, 1.0), (0.9, 1.0), (0.9, roof), (0.1, roof)],
            [(0.0, roof + 0.05), (0.5, 0.0), (1.0, roof + 0.05)],
            [(0.4, 1.0), (0.4, 0.7), (0.6, 0.7), (0.6, 1.0)]]


def heart(_rng: np.random.Generator) -> list[pen.Stroke]:
    t = np.linspace(0, 2 * np.pi, 60)
    x = 16 * np.sin(t) ** 3
    y = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    return [list(zip(0.5 + x / 34, 0.45 - y / 34, strict=True))]


def spiral(rng: np.random.Generator) -> list[pen.Stroke]:
    turns = rng.uniform(2.0, 3.5)
    t = np.linspace(0, turns * 2 * np.pi, 120)
    r = 0.5 * t / t[-1]
    return [list(zip(0.5 + r * np.cos(t), 0.5 + r * np.sin(t), strict=True))]


def scribble(rng: np.random.Generator) -> list[pen.Stroke]:
    """A random smooth loop-de-loop, as a bored student draws one."""
    points = rng.uniform(0, 1, (rng.integers(6, 11), 2))
    t = np.linspace(0, len(points) - 1, 200)
    x = np.interp(t, np.arange(len(points)), points[:, 0])
    y = np.interp(t, np.arange(len(points)), points[:, 1])
    wobble = 0.12 * np.sin(t * rng.uniform(3, 6))
    return [list(zip(x + wobble, y + np.roll(wobble, 17), strict=True))]


def zigzag(rng: np.random.Generator) -> list[pen.Stroke]:
    teeth = int(rng.integers(3, 7))
    return [[(k / teeth, float(k % 2)) for k in range(teeth + 1)]]


def grid(_rng: np.random.Generator) -> list[pen.Stroke]:
    return [[(0.33, 0.0), (0.33, 1.0)], [(0.67, 0.0), (0.67, 1.0)],
            [(0.0, 0.33), (1.0, 0.33)], [(0.0, 0.67), (1.0, 0.67)]]


def sun(rng: np.random.Generator) -> list[pen.Stroke]:
    rays = int(rng.integers(6, 10))
    strokes = [pen.circle(0.5, 0.5, 0.25)]
    for k in range(rays):
        a = 2 * np.pi * k / rays
        strokes.append([(0.5 + 0.33 * np.cos(a), 0.5 + 0.33 * np.sin(a)),
                        (0.5 + 0.5 * np.cos(a), 0.5 + 0.5 * np.sin(a))])
    return strokes


def cat(rng: np.random.Generator) -> list[pen.Stroke]:
    return [pen.circle(0.5, 0.6, 0.38), [(0.2, 0.38), (0.22, 0.05), (0.42, 0.24)],
            [(0.58, 0.24), (0.78, 0.05), (0.8, 0.38)], pen.circle(0.38, 0.55, 0.04),
            pen.circle(0.62, 0.55, 0.04), [(0.0, 0.7), (0.3, 0.72)], [(0.7, 0.72), (1.0, 0.7)]]


def fish(_rng: np.random.Generator) -> list[pen.Stroke]:
    return [pen.circle(0.45, 0.5, 0.35, 0, 360), [(0.78, 0.5), (1.0, 0.3), (1.0, 0.7), (0.78, 0.5)],
            pen.circle(0.28, 0.45, 0.04)]


def triangle(_rng: np.random.Generator) -> list[pen.Stroke]:
    return [[(0.5, 0.0), (1.0, 0.9), (0.0, 0.9), (0.5, 0.0)]]


def square(_rng: np.random.Generator) -> list[pen.Stroke]:
    return [[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]]


def arrow(_rng: np.random.Generator) -> list[pen.Stroke]:
    return [[(0.0, 0.5), (1.0, 0.5)], [(0.7, 0.2), (1.0, 0.5), (0.7, 0.8)]]


def lightning(_rng: np.random.Generator) -> list[pen.Stroke]:
    return [[(0.6, 0.0), (0.25, 0.55), (0.65, 0.45), (0.35, 1.0)]]


# Capital letters with shapes no digit has (O, I, S, Z, B, G are digits in disguise).
LETTERS: dict[str, list[pen.Stroke]] = {
    "A": [[(0.0, 1.0), (0.5, 0.0), (1.0, 1.0)], [(0.22, 0.6), (0.78, 0.6)]],
    "H": [[(0.0, 0.0), (0.0, 1.0)], [(1.0, 0.0), (1.0, 1.0)], [(0.0, 0.5), (1.0, 0.5)]],
    "K": [[(0.0, 0.0), (0.0, 1.0)], [(0.9, 0.0), (0.0, 0.55)], [(0.3, 0.4), (1.0, 1.0)]],
    "M": [[(0.0, 1.0), (0.0, 0.0), (0.5, 0.6), (1.0, 0.0), (1.0, 1.0)]],
    "W": [[(0.0, 0.0), (0.25, 1.0), (0.5, 0.35), (0.75, 1.0), (1.0, 0.0)]],
    "E": [[(1.0, 0.0), (0.0, 0.0), (0.0, 1.0), (1.0, 1.0)], [(0.0, 0.5), (0.75, 0.5)]],
    "F": [[(1.0, 0.0), (0.0, 0.0), (0.0, 1.0)], [(0.0, 0.5), (0.75, 0.5)]],
    "R": [[(0.0, 1.0), (0.0, 0.0), (0.7, 0.0), (0.9, 0.15), (0.9, 0.35), (0.7, 0.5), (0.0, 0.5)],
          [(0.4, 0.5), (1.0, 1.0)]],
    "X": [[(0.0, 0.0), (1.0, 1.0)], [(1.0, 0.0), (0.0, 1.0)]],
    "N": [[(0.0, 1.0), (0.0, 0.0), (1.0, 1.0), (1.0, 0.0)]],
    "P": [[(0.0, 1.0), (0.0, 0.0), (0.7, 0.0), (0.95, 0.2), (0.7, 0.45), (0.0, 0.45)]],
    "Y": [[(0.0, 0.0), (0.5, 0.5), (1.0, 0.0)], [(0.5, 0.5), (0.5, 1.0)]],
}


def letter(rng: np.random.Generator) -> list[pen.Stroke]:
    return LETTERS[str(rng.choice(list(LETTERS)))]


def word(rng: np.random.Generator) -> list[pen.Stroke]:
    """Two or three letters side by side, as a student writes a word or their initials."""
    count = int(rng.integers(2, 4))
    strokes = []
    for k in range(count):
        for stroke in letter(rng):
            strokes.append([((k + 0.8 * x) / count, 0.3 + 0.4 * y) for x, y in stroke])
    return strokes


def polygon(rng: np.random.Generator) -> list[pen.Stroke]:
    """A closed shape of 4 to 8 corners, convex or not."""
    corners = int(rng.integers(4, 9))
    angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
    radii = rng.uniform(0.25, 0.5, corners)
    points = [(0.5 + r * np.cos(a), 0.5 + r * np.sin(a))
              for r, a in zip(radii, angles, strict=True)]
    return [points + points[:1]]


def crossings(rng: np.random.Generator) -> list[pen.Stroke]:
    """Three to five straight lines across each other, through the middle."""
    strokes = []
    for _ in range(int(rng.integers(3, 6))):
        cx, cy = rng.uniform(0.35, 0.65, 2)
        angle, half = rng.uniform(0, np.pi), rng.uniform(0.3, 0.5)
        dx, dy = half * np.cos(angle), half * np.sin(angle)
        strokes.append([(cx - dx, cy - dy), (cx + dx, cy + dy)])
    return strokes


FAMILIES = {
    "star": star, "smiley": smiley, "house": house, "heart": heart, "spiral": spiral,
    "scribble": scribble, "zigzag": zigzag, "grid": grid, "sun": sun, "cat": cat, "fish": fish,
    "triangle": triangle, "square": square, "arrow": arrow, "lightning": lightning,
    "letter": letter, "word": word, "polygon": polygon, "crossings": crossings,
}


def draw(family: str, rng: np.random.Generator) -> np.ndarray:
    """Return one drawing of a family as the canvas sends it: (280, 280) float32 in [0, 1]."""
    return pen.render(FAMILIES[family](rng), rng)


def drawings(count: int, seed: int = 0,
             families: tuple[str, ...] = tuple(FAMILIES)) -> tuple[np.ndarray, list[str]]:
    """Return `count` non-digit drawings through the canvas path, (count, 28, 28) float32,
    the families taken in turn, with each one's family."""
    rng = np.random.default_rng(seed)
    images, names = [], []
    for index in range(count):
        family = families[index % len(families)]
        images.append(preprocess.to_mnist(draw(family, rng)))
        names.append(family)
    return np.stack(images), names
