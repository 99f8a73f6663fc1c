"""Beyond MNIST's own distribution, for the Draw page's readers:

- digits drawn the way people draw (upscaled to the canvas, thickened, small and off-centre)
  read through the canvas path: within 1 point of clean;
- the test set under each transformation of core.data.distortions at its reference strength:
  within 2 points of clean for the default CNN;
- "is it a digit?": drawings that are not digits flagged (>= 90 %), on new drawings of the
  families the detector was fitted with and, the honest figure for kinds nobody generated, on
  families left out of the fit; test digits flagged (<= 1 %, on the half of the test set the
  threshold was not set on, and those redrawn as other writers might); drawn digits flagged
  (<= 2 %);
- calibration: the expected calibration error before and after temperature scaling (<= 1 %).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy import ndimage

from bench.common import write
from core import store
from core.data import datasets, detector_images, distortions, non_digits, preprocess
from core.inference import calibration, novelty, predict
from core.models import zoo
from tests.drawings import CANVAS, canvas_rgba, upscale_digit

SAMPLES = 2000
NON_DIGITS = 1900  # 100 of each family, new drawings (the detectors were fitted on seed 0)


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


def readers() -> list[str]:
    """The Draw page's readers and the seeds' MLP beside them, as stored."""
    names = [name for name in (*zoo.MLPS, "cnn_best", "cnn_report")
             if store.read_card(name, "mnist") is not None]
    return names


def transformations(accuracy_of: Callable[[np.ndarray, np.ndarray], float],
                    images: np.ndarray, labels: np.ndarray) -> dict:
    """A classifier's accuracy (`accuracy_of(images, labels)`) on clean images and on each
    transformation at its reference strength, and the worst drop."""
    clean = accuracy_of(images, labels)
    accuracy = {kind: round(accuracy_of(
        distortions.distort(images, kind, distortions.REFERENCE_STRENGTH), labels), 4)
        for kind in distortions.TRANSFORMS}
    worst = min(accuracy, key=accuracy.get)
    return {"clean": round(clean, 4), "at_reference_strength": accuracy,
            "worst": worst, "worst_drop_points": round(100 * (clean - accuracy[worst]), 2)}


def flags(classifier: predict.Classifier, drawn: np.ndarray) -> dict:
    mnist = datasets.load("mnist")
    others, families = non_digits.drawings(NON_DIGITS, seed=2024)
    _, other_scores = classifier.read(others)
    flagged = other_scores > classifier.detector.threshold
    families = np.array(families)
    probabilities = classifier.probabilities(others)
    _, test_scores = classifier.read(mnist.images("test"))
    _, drawn_scores = classifier.read(drawn)
    half = detector_images.CALIBRATION_SAMPLES
    rewritten = distortions.augment(mnist.images("test")[half:], mnist.labels("test")[half:],
                                    np.random.default_rng(1), share=1.0)
    _, rewritten_scores = classifier.read(rewritten)
    return {
        "threshold": round(classifier.detector.threshold, 3),
        "non_digits_flagged": round(float(flagged.mean()), 4),
        "non_digits_softmax_at_least_0_9": round(float((probabilities.max(1) >= 0.9).mean()), 4),
        "per_family": {f: round(float(flagged[families == f].mean()), 2)
                       for f in non_digits.FAMILIES},
        "test_digits_flagged_unseen_half": round(float(
            (test_scores[half:] > classifier.detector.threshold).mean()), 4),
        "test_digits_flagged_all": round(float(
            (test_scores > classifier.detector.threshold).mean()), 4),
        "drawn_digits_flagged": round(float(
            (drawn_scores > classifier.detector.threshold).mean()), 4),
        "redrawn_test_digits_flagged": round(float(
            (rewritten_scores > classifier.detector.threshold).mean()), 4),
        "left_out_families": left_out_families(classifier),
    }


def left_out_families(classifier: predict.Classifier) -> dict:
    """Fit the detector on half of the families and count the other half flagged, both ways
    round: how it does on kinds of drawing it never saw."""
    digits, _, held_out = detector_images.fitting_images("mnist")
    names = list(non_digits.FAMILIES)
    inputs = {}
    for part, families in (("even", tuple(names[0::2])), ("odd", tuple(names[1::2]))):
        fit_images, _ = non_digits.drawings(detector_images.NON_DIGIT_SAMPLES, seed=0,
                                            families=families)
        test_images, _ = non_digits.drawings(NON_DIGITS // 2, seed=2024, families=families)
        inputs[part] = (detector_inputs(classifier, fit_images),
                        detector_inputs(classifier, test_images))
    digit_inputs = detector_inputs(classifier, digits)
    held_inputs = detector_inputs(classifier, held_out)
    result = {}
    for fitted, tested in (("even", "odd"), ("odd", "even")):
        detector = novelty.fit(digit_inputs, inputs[fitted][0], held_inputs)
        result[f"fitted_on_{fitted}_flagged_{tested}"] = round(float(
            detector.flags(inputs[tested][1]).mean()), 4)
    return result


def detector_inputs(classifier: predict.Classifier, images: np.ndarray) -> np.ndarray:
    described = novelty.describer(classifier.model, classifier.outputs_logits)
    return described.predict(images.reshape(-1, 28, 28, 1), batch_size=500, verbose=0)[0]


def main() -> dict:
    mnist = datasets.load("mnist")
    images, labels = mnist.images("test")[:SAMPLES], mnist.labels("test")[:SAMPLES]
    rng = np.random.default_rng(0)
    drawn = np.stack([preprocess.from_canvas(as_drawn(d, rng)) for d in mnist.x_test[:SAMPLES]])
    models = {}
    for name in readers():
        classifier = predict.load_classifier(name)
        found = calibration.calibrate(classifier.probabilities(mnist.images("test")),
                                      mnist.labels("test"))
        models[name] = {
            "canvas_path": {"clean": round(classifier.accuracy(images, labels), 4),
                            "drawn": round(classifier.accuracy(drawn, labels), 4)},
            "transformations": transformations(classifier.accuracy, images, labels),
            "not_a_digit": flags(classifier, drawn),
            "calibration": {"ece_before": round(found.before.ece, 5),
                            "ece_after": round(found.after.ece, 5),
                            "temperature": round(found.temperature, 3)},
        }
    return write("robustness", {
        "test_images": SAMPLES, "reference_strength": distortions.REFERENCE_STRENGTH,
        "goals": {"canvas_path_drop_points": 1.0, "transformation_drop_points": 2.0,
                  "non_digits_flagged": 0.9, "test_digits_flagged": 0.01,
                  "drawn_digits_flagged": 0.02, "ece_after": 0.01},
        "models": models,
    })


if __name__ == "__main__":
    print(main())
