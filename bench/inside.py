"""Inside the CNN: NumPy ops against Keras, the NumPy CNN's gradients and training, and
feature maps for one image turned into figures."""

from __future__ import annotations

import time

import keras
import numpy as np

from bench.common import percentiles, write
from core.data import datasets
from core.figures import plots
from core.inference import inspect, predict
from core.models import zoo
from core.scratch import numpy_ops

FIGURE_REPEATS = 50
rng = np.random.default_rng(0)


def random(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape).astype(np.float32)


def largest_difference(ours: np.ndarray, layer, x: np.ndarray) -> float:
    return float(np.abs(ours - np.asarray(layer(x))).max())


def random_ops() -> dict[str, float]:
    """Each op on random float32 inputs against the Keras layer it mirrors."""
    x = random(8, 28, 28, 3)
    results = {}
    for stride, padding in [(1, "valid"), (1, "same"), (2, "same"), (2, "valid")]:
        conv = keras.layers.Conv2D(16, 3, strides=stride, padding=padding)
        conv.build(x.shape)
        conv.set_weights([conv.get_weights()[0], random(16)])
        ours = numpy_ops.conv2d(x, *conv.get_weights(), stride, padding)
        results[f"conv2d stride {stride} {padding}"] = largest_difference(ours, conv, x)
    for pool, stride in [(2, 2), (3, 2), (3, 1)]:
        layer = keras.layers.MaxPooling2D(pool, stride)
        results[f"max_pool {pool}x{pool} stride {stride}"] = largest_difference(
            numpy_ops.max_pool(x, pool, stride), layer, x)
    results["relu"] = largest_difference(numpy_ops.relu(x), keras.layers.ReLU(), x)
    norm = keras.layers.LayerNormalization(axis=(1, 2), center=False, scale=False,
                                           epsilon=numpy_ops.NORMALIZE_EPSILON)
    results["normalize"] = largest_difference(numpy_ops.normalize(x), norm, x)
    flat = x.reshape(8, -1)
    dense = keras.layers.Dense(10)
    dense.build(flat.shape)
    results["dense"] = largest_difference(numpy_ops.dense(flat, *dense.get_weights()), dense, flat)
    scores = random(8, 10) * 5
    results["softmax"] = largest_difference(numpy_ops.softmax(scores), keras.layers.Softmax(),
                                            scores)
    return results


def trained_model(name: str) -> dict:
    """Every layer on real activations with trained weights, and the whole test set.

    Deep layers output values up to ~25, where one float32 step is ~2e-6: besides the
    absolute difference, each layer reports it relative to its largest output.
    """
    model = predict.load_classifier(name).model
    images = datasets.load("mnist").images("test")
    layers, relative = {}, {}
    x = images[:200]
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        ours, theirs = numpy_ops.apply_layer(layer, x), np.asarray(layer(x))
        key = f"{layer.name} ({type(layer).__name__})"
        layers[key] = float(np.abs(ours - theirs).max())
        relative[key] = layers[key] / max(float(np.abs(theirs).max()), 1e-12)
        x = theirs
    started = time.perf_counter()
    ours = numpy_ops.forward(model, images)
    numpy_seconds = time.perf_counter() - started
    theirs = model.predict(images, batch_size=1000, verbose=0)
    agree = int((ours.argmax(axis=1) == theirs.argmax(axis=1)).sum())
    return {"layers_max_abs_difference": layers, "layers_relative_difference": relative,
            "test_images": len(images),
            "same_predicted_class": agree,
            "outputs_max_abs_difference": float(np.abs(ours - theirs).max()),
            "numpy_forward_seconds": round(numpy_seconds, 2)}


def feature_maps(name: str) -> dict:
    """One image: the inspector's pass plus every figure the Feature maps tab draws."""
    classifier = predict.load_classifier(name)
    reader = inspect.inspector(classifier)
    images = datasets.load("mnist").images("test")[:FIGURE_REPEATS, :, :, 0]
    kernels_stage = reader.stages[0]
    timings = []
    for image in images:
        started = time.perf_counter()
        result = reader.inspect(image)
        kernels = inspect.first_conv(classifier.model, kernels_stage).kernels[:, :, 0, :]
        plots.feature_grid(kernels, tile=36, gap=6, columns=8)
        for layer in result.layers:
            plots.feature_grid(layer.maps, tile=84)
            layer.mean, layer.zero_fraction  # noqa: B018 (the statistics table)
        plots.value_heatmap(result.image, "input")
        plots.value_heatmap(result.layers[0].maps[:, :, 0], "map")
        timings.append(time.perf_counter() - started)
    return percentiles(timings)


def numpy_cnn_run() -> dict:
    errors = numpy_cnn_run.gradient_check()
    network, run = numpy_cnn_run.train()
    reached = run.seconds_to(0.95)
    return {"gradient_relative_errors": errors, "cycles": len(run.cycles),
            "train_seconds": round(run.seconds[-1], 1),
            "seconds_to_95_percent": round(reached, 1) if reached is not None else None,
            "test_accuracy": run.test_accuracy, "accuracy_curve": run.accuracy}


def main() -> dict:
    cnns = [name for name in zoo.CNNS if predict.best_card("mnist", (name,))]
    result = {"random_inputs_max_abs_difference": random_ops(),
              "trained": {name: trained_model(name) for name in cnns},
              "feature_maps_ms": {name: feature_maps(name) for name in cnns},
              "numpy_cnn": numpy_cnn_run()}
    return write("inside", result)


if __name__ == "__main__":
    print(main())
