"""Drawings that are not digits, as a class draws them on the canvas within a minute of
being told "draw anything": stars, smileys, houses, letters, spirals, scribbles, trees,
stick figures, ticks. Each family varies as people's drawings of it do (a star of five to
seven points, a smiley that frowns, a house with or without a window).

Each is drawn with a pen on a 280x280 canvas (random size, place, slant, stroke width and
a shaky hand) and goes through the canvas path (core.data.preprocess), so it reaches a
classifier exactly as a drawing would. The "is it a digit?" detector (core.inference.novelty)
learns from one set of them and is measured on new ones; bench.robustness also leaves half
the families out of its fit, for kinds of drawing nobody generated.
"""

from __future__ import annotations

import numpy as np

from core.data import pen, preprocess


def star(rng: np.random.Generator) -> list[pen.Stroke]:
    """Five to seven points: a pentagram in one line, or round the outside."""
    points = int(rng.choice([5, 5, 6, 7]))
    if points == 5 and rng.random() < 0.6:
        return [pentagram()]
    inner = rng.uniform(0.35, 0.55)
    radii = [0.5 if k % 2 == 0 else 0.5 * inner for k in range(2 * points + 1)]
    angles = [np.pi * (k / points - 0.5) for k in range(2 * points + 1)]
    return [[(0.5 + r * np.cos(a), 0.5 + r * np.sin(a)) for r, a in zip(radii, angles,
                                                                        strict=True)]]


def pentagram() -> pen.Stroke:
    return [(0.5 + 0.5 * np.cos(np.radians(-90 + 144 * k)),
             0.5 + 0.5 * np.sin(np.radians(-90 + 144 * k))) for k in range(6)]


def smiley(rng: np.random.Generator) -> list[pen.Stroke]:
    """A round face with two eyes and a smile, a frown or a straight mouth; now and then a
    nose."""
    eye = rng.uniform(0.03, 0.08)
    face = [pen.circle(0.5, 0.5, 0.5), pen.circle(0.35, 0.38, eye), pen.circle(0.65, 0.38, eye)]
    mouth = int(rng.integers(3))
    face.append([pen.circle(0.5, 0.5, 0.28, 30, 150, 20), pen.circle(0.5, 0.95, 0.28, 235, 305, 20),
                 [(0.33, 0.72), (0.67, 0.72)]][mouth])
    if rng.random() < 0.4:
        face.append([(0.5, 0.45), (0.46, 0.58), (0.53, 0.58)])
    return face


def house(rng: np.random.Generator) -> list[pen.Stroke]:
    """Walls and a roof, and some of a door, a window and a chimney."""
    roof = rng.uniform(0.3, 0.45)
    strokes = [[(0.1, roof), (0.1, 1.0), (0.9, 1.0), (0.9, roof), (0.1, roof)],
               [(0.0, roof + 0.05), (0.5, 0.0), (1.0, roof + 0.05)]]
    if rng.random() < 0.8:
        strokes.append([(0.4, 1.0), (0.4, 0.7), (0.6, 0.7), (0.6, 1.0)])
    if rng.random() < 0.5:
        top = roof + 0.12
        strokes.append([(0.65, top), (0.8, top), (0.8, top + 0.15), (0.65, top + 0.15),
                        (0.65, top)])
    if rng.random() < 0.3:
        strokes.append([(0.7, 0.6 * roof), (0.7, 0.2 * roof), (0.8, 0.2 * roof),
                        (0.8, 0.75 * roof)])
    return strokes


def heart(_rng: np.random.Generator) -> list[pen.Stroke]:
    t = np.linspace(0, 2 * np.pi, 60)
    x = 16 * np.sin(t) ** 3
    y = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    return [list(zip(0.5 + x / 34, 0.45 - y / 34, strict=True))]


def spiral(rng: np.random.Generator) -> list[pen.Stroke]:
    turns = rng.uniform(2.0, 3.5)
    t = np.linspace(0, turns * 2 * np.pi, 120)
    r = 0.5 * t / t[-1]
    turn = rng.choice([-1.0, 1.0])  # clockwise or not
    return [list(zip(0.5 + r * np.cos(t), 0.5 + turn * r * np.sin(t), strict=True))]


def scribble(rng: np.random.Generator) -> list[pen.Stroke]:
    """A random smooth loop-de-loop, as a bored student draws one."""
    points = rng.uniform(0, 1, (rng.integers(6, 13), 2))
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
    "L": [[(0.0, 0.0), (0.0, 1.0), (0.9, 1.0)]],
    "T": [[(0.0, 0.0), (1.0, 0.0)], [(0.5, 0.0), (0.5, 1.0)]],
    "V": [[(0.0, 0.0), (0.5, 1.0), (1.0, 0.0)]],
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


def tree(rng: np.random.Generator) -> list[pen.Stroke]:
    """A trunk under a pointed or a round top."""
    trunk = [[(0.42, 1.0), (0.42, 0.65)], [(0.58, 1.0), (0.58, 0.65)]]
    if rng.random() < 0.5:
        return [*trunk, [(0.05, 0.7), (0.5, 0.0), (0.95, 0.7), (0.05, 0.7)]]
    return [*trunk, pen.circle(0.5, 0.35, 0.33, 110, 430)]


def flower(rng: np.random.Generator) -> list[pen.Stroke]:
    """Petals round a heart on a stem."""
    petals = int(rng.integers(5, 9))
    strokes = [pen.circle(0.5, 0.35, 0.1), [(0.5, 0.62), (0.5, 1.0)]]
    for k in range(petals):
        a = 2 * np.pi * k / petals
        strokes.append(pen.circle(0.5 + 0.25 * np.cos(a), 0.35 + 0.25 * np.sin(a), 0.12))
    return strokes


def moon(rng: np.random.Generator) -> list[pen.Stroke]:
    """A crescent: two arcs meeting at the horns."""
    inner = rng.uniform(0.25, 0.4)
    return [pen.circle(0.5, 0.5, 0.5, 60, 300) + pen.circle(0.5 + inner, 0.5, 0.5 - inner / 3,
                                                            240, 120, 30)]


def cloud(rng: np.random.Generator) -> list[pen.Stroke]:
    """Bumps along the top on a flat base."""
    bumps = int(rng.integers(3, 6))
    stroke = [(0.0, 0.8)]
    for k in range(bumps):
        cx = (k + 0.5) / bumps
        stroke += pen.circle(cx, 0.6 - 0.15 * np.sin(np.pi * cx), 0.55 / bumps, 180, 360, 12)
    return [stroke + [(1.0, 0.8), (0.0, 0.8)]]


def person(_rng: np.random.Generator) -> list[pen.Stroke]:
    """A stick figure."""
    return [pen.circle(0.5, 0.15, 0.15), [(0.5, 0.3), (0.5, 0.65)], [(0.15, 0.45), (0.85, 0.45)],
            [(0.25, 1.0), (0.5, 0.65), (0.75, 1.0)]]


def eye(rng: np.random.Generator) -> list[pen.Stroke]:
    """Two arcs meeting at the corners, a round iris between them."""
    return [pen.circle(0.5, 1.0, 0.7, 225, 315, 20), pen.circle(0.5, 0.0, 0.7, 45, 135, 20),
            pen.circle(0.5, 0.5, rng.uniform(0.12, 0.2))]


def boat(_rng: np.random.Generator) -> list[pen.Stroke]:
    """A hull, a mast and a sail."""
    return [[(0.0, 0.7), (1.0, 0.7), (0.8, 1.0), (0.2, 1.0), (0.0, 0.7)],
            [(0.5, 0.7), (0.5, 0.0), (0.9, 0.6), (0.5, 0.6)]]


def car(_rng: np.random.Generator) -> list[pen.Stroke]:
    """A body with a cabin and two wheels."""
    return [[(0.0, 0.75), (0.0, 0.5), (0.25, 0.5), (0.35, 0.25), (0.7, 0.25), (0.8, 0.5),
             (1.0, 0.55), (1.0, 0.75), (0.0, 0.75)],
            pen.circle(0.25, 0.8, 0.12), pen.circle(0.75, 0.8, 0.12)]


def check(_rng: np.random.Generator) -> list[pen.Stroke]:
    return [[(0.0, 0.55), (0.35, 1.0), (1.0, 0.0)]]


def infinity(_rng: np.random.Generator) -> list[pen.Stroke]:
    t = np.linspace(0, 2 * np.pi, 80)
    return [list(zip(0.5 + 0.5 * np.cos(t), 0.5 + 0.3 * np.sin(2 * t), strict=True))]


FAMILIES = {
    "star": star, "smiley": smiley, "house": house, "heart": heart, "spiral": spiral,
    "scribble": scribble, "zigzag": zigzag, "grid": grid, "sun": sun, "cat": cat, "fish": fish,
    "triangle": triangle, "square": square, "arrow": arrow, "lightning": lightning,
    "letter": letter, "word": word, "polygon": polygon, "crossings": crossings, "tree": tree,
    "flower": flower, "moon": moon, "cloud": cloud, "person": person, "eye": eye, "boat": boat,
    "car": car, "check": check, "infinity": infinity,
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
