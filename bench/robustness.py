"""MNIST test digits drawn the way people draw: upscaled to the canvas, thickened, off-centre
and small; then read through the canvas path. The goal: within 1 point of clean accuracy."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

from bench.common import write
from core.data import datasets, preprocess
from core.inference import predict
from tests.drawings import CANVAS, canvas_rgba, upscale_digit

SAMPLES = 2000


def as_drawn(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Upscale a 28x28 digit to the canvas, thicken its strokes, shrink it to half size and
    put it off-centre; return the canvas as RGBA."""
    thick = ndimage.grey_dilation(upscale_digit(digit), size=(9, 9))
    half = np.asarray(Image.fromarray(thick).resize((CANVAS // 2, CANVAS // 2),
                                                    Image.Resampling.BILINEAR))
    canvas = np.zeros((CANVAS, CANVAS), np.uint8)
    top, left = rng.integers(0, CANVAS // 2, size=2)
    canvas[top : top + CANVAS // 2, left : left + CANVAS // 2] = half
    return canvas_rgba(canvas)


def main(model: str = "cnn_best") -> dict:
    mnist = datasets.load("mnist")
    classifier = predict.load_classifier(model)
    labels = mnist.y_test[:SAMPLES]
    rng = np.random.default_rng(0)
    drawn = np.stack([preprocess.from_canvas(as_drawn(d, rng)) for d in mnist.x_test[:SAMPLES]])
    clean_accuracy = classifier.accuracy(mnist.images("test")[:SAMPLES], labels)
    canvas_accuracy = classifier.accuracy(drawn, labels)
    return write("robustness", {
        "model": model, "test_images": SAMPLES, "clean_accuracy": round(clean_accuracy, 4),
        "canvas_path_accuracy": round(canvas_accuracy, 4),
        "drop_points": round(100 * (clean_accuracy - canvas_accuracy), 2), "goal_points": 1.0,
    })


if __name__ == "__main__":
    print(main())
