"""How close a restored image is to the clean one: PSNR and SSIM, per image, in NumPy; and
where a restorer paints what was never there (`background_glow`).

SSIM follows Wang et al. (2004) as `tf.image.ssim` computes it (11x11 Gaussian window,
sigma 1.5, K1 0.01, K2 0.03, valid windows only), so our numbers can be checked against
TensorFlow's and compared with published ones; NumPy keeps it off the model's lock.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

# Identical images have infinite PSNR; capping keeps averages finite and says "no error".
PSNR_MAX_DB = 100.0
WINDOW, SIGMA, K1, K2 = 11, 1.5, 0.01, 0.03


def psnr(clean: np.ndarray, other: np.ndarray, data_range: float = 1.0) -> np.ndarray:
    """Return the peak signal-to-noise ratio in dB of each image pair (n, ...) -> (n,)."""
    clean, other = _pair(clean, other)
    mse = np.mean((clean - other) ** 2, axis=tuple(range(1, clean.ndim)))
    floor = data_range**2 / 10 ** (PSNR_MAX_DB / 10)
    return (10 * np.log10(data_range**2 / np.maximum(mse, floor))).astype(np.float32)


def background_glow(clean: np.ndarray, restored: np.ndarray,
                    margin: int = 3) -> np.ndarray:
    """Return (H, W): at each pixel position, the mean brightness of the restored images over
    those whose clean image has background there (0, and at least `margin` px from any ink).

    A restorer that paints a mark of its own at some place (a grey dot a reader might use as
    a cue) lights that position up here, however faint the mark is in any one image; a real
    digit's blur does not, because ink and its surroundings are left out. NaN where no image
    has background.
    """
    clean, restored = _pair(clean, restored)
    clean, restored = clean.reshape(clean.shape[:3]), restored.reshape(restored.shape[:3])
    reach = 2 * margin - 1  # a square of side 2m-1 holds every offset closer than m
    near_ink = ndimage.maximum_filter(clean > 0, size=(1, reach, reach))
    background = ~near_ink
    counts = background.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, (restored * background).sum(axis=0) / counts, np.nan)


def ssim(clean: np.ndarray, other: np.ndarray, data_range: float = 1.0) -> np.ndarray:
    """Return the structural similarity of each pair of images (n, H, W[, 1]) -> (n,)."""
    clean, other = _pair(clean, other)
    if clean.ndim == 4:
        clean, other = clean[..., 0], other[..., 0]
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    mu_x, mu_y = _blur(clean), _blur(other)
    var_x = _blur(clean * clean) - mu_x**2
    var_y = _blur(other * other) - mu_y**2
    cov = _blur(clean * other) - mu_x * mu_y
    luminance = (2 * mu_x * mu_y + c1) / (mu_x**2 + mu_y**2 + c1)
    structure = (2 * cov + c2) / (var_x + var_y + c2)
    return np.mean(luminance * structure, axis=(1, 2)).astype(np.float32)


def _gaussian_window() -> np.ndarray:
    offsets = np.arange(WINDOW, dtype=np.float64) - (WINDOW - 1) / 2
    weights = np.exp(-(offsets**2) / (2 * SIGMA**2))
    return weights / weights.sum()


def _blur(images: np.ndarray) -> np.ndarray:
    """Weighted mean over every full 11x11 window of images (n, H, W) (separable)."""
    window = _gaussian_window()
    rows = np.lib.stride_tricks.sliding_window_view(images, WINDOW, axis=1) @ window
    return np.lib.stride_tricks.sliding_window_view(rows, WINDOW, axis=2) @ window


def _pair(clean: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    clean, other = np.asarray(clean, np.float64), np.asarray(other, np.float64)
    if clean.shape != other.shape:
        raise ValueError(f"Images to compare differ in shape: {clean.shape} vs {other.shape}.")
    return clean, other
