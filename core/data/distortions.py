"""The ways other people's digits differ from MNIST's writers, as image transformations.

Used two ways: at random, to train readers that generalise beyond MNIST (`augment`), and at
a fixed strength, to measure how a reader copes (`distort`, the robustness view and bench).
Every transformation takes a strength in [0, 1]; 0 leaves the digit alone and
REFERENCE_STRENGTH is what a person's handwriting plausibly does (rotation by 15 degrees,
strokes a pixel thicker). Images are (n, 28, 28[, 1]) floats in [0, 1]; the geometric ones
run as one interpolation over the whole batch.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from core.data import preprocess

# What strength 1 means for each transformation.
MAX_ROTATION_DEGREES = 30.0
MAX_SHEAR = 0.6  # horizontal shift per row, the slant of italic writing
MAX_SCALE_CHANGE = 0.4  # the digit's size times (1 - 0.4) or (1 + 0.4)
MAX_ELASTIC_ALPHA = 70.0  # pixels of displacement before smoothing (Simard et al. 2003)
ELASTIC_SIGMA = 4.0
# ndimage.gaussian_filter1d along one side of a 28x28 image, as a matrix (column j: the
# filtered j-th unit vector): two products smooth a batch of fields four times faster.
_SMOOTH = ndimage.gaussian_filter1d(np.eye(28, dtype=np.float32), ELASTIC_SIGMA, axis=0)
MAX_THICKEN_PIXELS = 2.0
MAX_THIN_PIXELS = 1.0
MAX_BLUR_SIGMA = 1.5
MIN_LOW_RESOLUTION = 10  # pixels a side of the round trip at strength 1
TRANSFORMS = ("rotation", "shear", "scale", "elastic", "thicken", "thin", "blur",
              "low_resolution")
TITLES = {"rotation": "Rotation", "shear": "Slant (shear)", "scale": "Size",
          "elastic": "Elastic wobble", "thicken": "Thicker strokes", "thin": "Thinner strokes",
          "blur": "Blur", "low_resolution": "Low resolution"}
REFERENCE_STRENGTH = 0.5


def distort(images: np.ndarray, kind: str, strength: float,
            rng: np.random.Generator | None = None) -> np.ndarray:
    """Return the images transformed by one kind at one strength; rotation, shear and size
    change go either way at random (seeded, so a strength always gives the same set)."""
    if kind not in TRANSFORMS:
        raise ValueError(f"Unknown transformation {kind!r}; choose one of {', '.join(TRANSFORMS)}.")
    rng = rng or np.random.default_rng(0)
    stack, shape = _stack(images)
    n = len(stack)
    sign = rng.choice([-1.0, 1.0], size=n)
    if kind == "rotation":
        out = _warp(stack, rotation=np.radians(MAX_ROTATION_DEGREES * strength) * sign)
    elif kind == "shear":
        out = _warp(stack, shear=MAX_SHEAR * strength * sign)
    elif kind == "scale":
        out = _warp(stack, scale=1.0 + MAX_SCALE_CHANGE * strength * sign)
    elif kind == "elastic":
        out = _warp(stack, displacement=_elastic_field(n, MAX_ELASTIC_ALPHA * strength, rng))
    elif kind == "thicken":
        out = _morphology(stack, MAX_THICKEN_PIXELS * strength, ndimage.grey_dilation)
    elif kind == "thin":
        out = _morphology(stack, MAX_THIN_PIXELS * strength, ndimage.grey_erosion)
    elif kind == "blur":
        out = _blur(stack, MAX_BLUR_SIGMA * strength)
    else:
        out = _low_resolution(stack, round(28 - (28 - MIN_LOW_RESOLUTION) * strength))
    return out.reshape(shape).astype(np.float32)


def augment(images: np.ndarray, labels: np.ndarray, rng: np.random.Generator,
            strength: float = REFERENCE_STRENGTH, share: float = 0.5,
            reach: float = 1.0) -> np.ndarray:
    """Return a training batch where a `share` of the digits are redrawn as another writer
    might: rotated, slanted and resized at random up to `strength`, wobbled up to `reach`
    times `strength`, their strokes thicker or thinner, and (styles MNIST's writers rarely
    used) 7s crossed and 1s given a flag and a base."""
    out, shape = _stack(images)
    n = len(out)
    chosen = rng.random(n) < share
    picked = np.flatnonzero(chosen)  # only these are warped: the rest would not move

    def uniform() -> np.ndarray:
        return rng.uniform(-1.0, 1.0, len(picked)) * strength

    if len(picked):
        wobble = rng.uniform(0.0, reach, len(picked)) * strength
        out[picked] = _warp(
            out[picked], rotation=np.radians(MAX_ROTATION_DEGREES) * uniform(),
            shear=MAX_SHEAR * uniform(), scale=1.0 + MAX_SCALE_CHANGE * uniform(),
            displacement=_elastic_field(len(picked), MAX_ELASTIC_ALPHA, rng)
            * wobble[:, None, None, None])
    stroke = rng.choice(3, size=n, p=[0.5, 0.3, 0.2]) * chosen  # 0 as is, 1 thicker, 2 thinner
    for code, amount, operation in ((1, MAX_THICKEN_PIXELS, ndimage.grey_dilation),
                                    (2, MAX_THIN_PIXELS, ndimage.grey_erosion)):
        picked = stroke == code
        if picked.any():
            out[picked] = _morphology(out[picked], amount * strength * rng.uniform(0.5, 1.0),
                                      operation)
    labels = np.asarray(labels).reshape(-1)
    styled = chosen & (rng.random(n) < 0.5)
    for index in np.flatnonzero(styled & (labels == 7)):
        out[index] = cross_seven(out[index], rng)
    for index in np.flatnonzero(styled & (labels == 1)):
        out[index] = serif_one(out[index], rng)
    return out.reshape(shape).astype(np.float32)


def through_canvas(images: np.ndarray, rng: np.random.Generator,
                   canvas: int = 280) -> np.ndarray:
    """Return digits as the Draw page sees them when drawn with the canvas pen: enlarged to
    the canvas, strokes thickened by a random pen, drawn small or large anywhere, and
    brought back by the canvas path (core.data.preprocess)."""
    out = []
    for digit in np.asarray(images, np.float32).reshape(len(images), 28, 28):
        big = np.asarray(Image.fromarray((digit * 255).astype(np.uint8)).resize(
            (canvas, canvas), Image.Resampling.BILINEAR))
        pen = int(rng.choice([1, 5, 9, 13]))
        big = ndimage.grey_dilation(big, size=(pen, pen)) if pen > 1 else big
        side = int(canvas * rng.uniform(0.4, 1.0))
        small = np.asarray(Image.fromarray(big).resize((side, side), Image.Resampling.BILINEAR))
        field = np.zeros((canvas, canvas), np.float32)
        top, left = rng.integers(0, canvas - side + 1, size=2)
        field[top : top + side, left : left + side] = small / 255.0
        out.append(preprocess.to_mnist(field))
    return np.stack(out)


def cross_seven(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw the bar many writers put across a 7's stem, at the middle of its ink."""
    rows, cols = np.nonzero(digit > 0.3)
    if len(rows) < 10:
        return digit
    row = (rows.min() + rows.max()) // 2 + int(rng.integers(-1, 2))  # the stem's middle
    on_row = cols[np.abs(rows - row) <= 1]
    centre = float(on_row.mean()) if len(on_row) else float(cols.mean())
    half = rng.uniform(3.0, 4.5)
    return _stroke(digit, (row, centre - half), (row + rng.uniform(-0.8, 0.8), centre + half))


def serif_one(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Give a 1 the flag at its top and, half the time, the base many writers add."""
    rows, cols = np.nonzero(digit > 0.3)
    if len(rows) < 5:
        return digit
    top, bottom = rows.min(), rows.max()
    top_col = float(cols[rows <= top + 1].mean())
    length = rng.uniform(4.0, 6.0)
    out = _stroke(digit, (top, top_col), (top + length * 0.5, top_col - length))
    if rng.random() < 0.5:
        bottom_col = float(cols[rows >= bottom - 1].mean())
        half = rng.uniform(2.5, 4.0)
        out = _stroke(out, (bottom, bottom_col - half), (bottom, bottom_col + half))
    return out


def _stroke(digit: np.ndarray, start: tuple[float, float], end: tuple[float, float],
            width: float = 1.1) -> np.ndarray:
    """Draw a soft line from start to end (row, column) onto a (28, 28[, 1]) digit."""
    plane = digit.reshape(digit.shape[0], digit.shape[1])
    rows, cols = np.mgrid[: plane.shape[0], : plane.shape[1]].astype(np.float32)
    (r0, c0), (r1, c1) = start, end
    dr, dc = r1 - r0, c1 - c0
    t = np.clip(((rows - r0) * dr + (cols - c0) * dc) / max(dr * dr + dc * dc, 1e-6), 0, 1)
    distance = np.hypot(rows - (r0 + t * dr), cols - (c0 + t * dc))
    ink = np.clip(1.0 + width / 2 - distance, 0.0, 1.0)
    return np.maximum(plane, ink).reshape(digit.shape)


def _stack(images: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    images = np.asarray(images, np.float32)
    return images.reshape(len(images), images.shape[1], images.shape[2]).copy(), images.shape


def _warp(stack: np.ndarray, rotation: np.ndarray | float = 0.0,
          shear: np.ndarray | float = 0.0, scale: np.ndarray | float = 1.0,
          displacement: np.ndarray | None = None) -> np.ndarray:
    """Resample every image at once about its centre: output pixel p reads the input at
    A⁻¹(p - c) + c (plus a displacement), with one A per image."""
    n, height, width = stack.shape
    rotation, shear, scale = (np.broadcast_to(np.asarray(v, np.float32), (n,))
                              for v in (rotation, shear, scale))
    rows, cols = np.mgrid[:height, :width].astype(np.float32)
    y, x = rows - (height - 1) / 2, cols - (width - 1) / 2
    cos, sin = np.cos(rotation)[:, None, None], np.sin(rotation)[:, None, None]
    # Undo the scale, the rotation, then the shear (x moves with the row).
    ys, xs = y[None] / scale[:, None, None], x[None] / scale[:, None, None]
    yr, xr = cos * ys + sin * xs, -sin * ys + cos * xs
    xr = xr + shear[:, None, None] * yr
    source_rows, source_cols = yr + (height - 1) / 2, xr + (width - 1) / 2
    if displacement is not None:
        source_rows = source_rows + displacement[:, 0]
        source_cols = source_cols + displacement[:, 1]
    index = np.broadcast_to(np.arange(n, dtype=np.float32)[:, None, None], source_rows.shape)
    coordinates = np.stack([index, source_rows, source_cols])
    return ndimage.map_coordinates(stack, coordinates, order=1, mode="constant", cval=0.0)


def _elastic_field(n: int, alpha: float, rng: np.random.Generator) -> np.ndarray:
    """Return (n, 2, 28, 28) smooth random displacements (Simard et al. 2003)."""
    field = rng.uniform(-1.0, 1.0, (n, 2, 28, 28)).astype(np.float32)
    return alpha * (_SMOOTH @ field @ _SMOOTH.T)


def _morphology(stack: np.ndarray, pixels: float, operation) -> np.ndarray:
    """Grow (dilation) or shrink (erosion) the strokes by a fractional number of pixels: the
    blend of the two whole-pixel results around it."""
    if pixels <= 0:
        return stack
    cross = ndimage.generate_binary_structure(2, 1)[None]
    below, above = stack, operation(stack, footprint=cross)
    for _ in range(int(np.floor(pixels))):
        below, above = above, operation(above, footprint=cross)
    fraction = pixels - np.floor(pixels)
    return (1 - fraction) * below + fraction * above


def _blur(stack: np.ndarray, sigma: float) -> np.ndarray:
    """Blur each image, then restore its brightest ink to its old level (a blurred pen
    stroke is wider, not fainter)."""
    if sigma <= 0:
        return stack
    blurred = ndimage.gaussian_filter(stack, sigma=(0, sigma, sigma))
    peak = blurred.max(axis=(1, 2), keepdims=True)
    return np.clip(blurred * stack.max(axis=(1, 2), keepdims=True) / np.maximum(peak, 1e-6), 0, 1)


def _low_resolution(stack: np.ndarray, side: int) -> np.ndarray:
    """Scan at `side` x `side` pixels and upscale back to 28x28 (a low-resolution scan)."""
    if side >= stack.shape[1]:
        return stack
    factor = side / stack.shape[1]
    small = ndimage.zoom(stack, (1, factor, factor), order=1, grid_mode=True, mode="grid-constant")
    back = ndimage.zoom(small, (1, stack.shape[1] / small.shape[1],
                                stack.shape[2] / small.shape[2]),
                        order=1, grid_mode=True, mode="grid-constant")
    return np.clip(back, 0.0, 1.0)
