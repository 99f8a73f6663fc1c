"""What each filter has learnt: the test patches that excite it most, cut to its receptive
field, and an image synthesised by gradient ascent that excites it.

The patches come from one pass over the first PATCH_SAMPLES test digits, keeping for every
filter only each image's strongest response and where it was; they are cached per model
file. The synthesised images start from faint noise and climb the filter's mean response,
with the regularisers that make them look like strokes rather than static: a small step
along the normalised gradient, a random jitter each step, a blur every few steps, and decay
towards black (Olah et al., "Feature Visualization", 2017).
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from core.data import datasets
from core.inference import inspect, model_cache
from core.inference.predict import Classifier
from core.models.taps import Taps

PATCH_SAMPLES = 5000
TOP = 9
ASCENT_STEPS = 96
ASCENT_RATE = 0.05
BLUR_EVERY = 4
DECAY = 0.002
INK_COST = 4.0  # per unit of mean brightness, against a relative rise of the response


@dataclass(frozen=True)
class Field:
    """A stage's receptive field: the input window one of its units sees."""

    size: int  # side in input pixels
    jump: int  # input pixels between neighbouring units
    start: float  # input coordinate of unit 0's centre

    def window(self, row: int, col: int) -> tuple[int, int]:
        """Top-left input corner of unit (row, col)'s window (may lie outside the image)."""
        half = (self.size - 1) / 2
        return (int(round(self.start + row * self.jump - half)),
                int(round(self.start + col * self.jump - half)))


def receptive_field(model: keras.Model, layer_name: str) -> Field:
    """Walk the layers from the input to `layer_name`, growing the window by each
    convolution and pooling."""
    size, jump, start = 1, 1, 0.0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.MaxPooling2D)):
            kernel = (layer.kernel_size if isinstance(layer, keras.layers.Conv2D)
                      else layer.pool_size)[0]
            stride = layer.strides[0]
            pad = (kernel - 1) / 2 if layer.padding == "same" else 0.0
            start += ((kernel - 1) / 2 - pad) * jump
            size += (kernel - 1) * jump
            jump *= stride
        if layer.name == layer_name:
            break
    return Field(size, jump, start)


@dataclass(frozen=True)
class StagePatches:
    """For every filter of a stage, the TOP test patches that excite it most."""

    stage: str
    field: Field
    patches: np.ndarray  # (filters, TOP, size, size) of the input, zero outside the image
    activations: np.ndarray  # (filters, TOP) the strongest response in each
    indices: np.ndarray  # (filters, TOP) test-set index of each patch's digit


def conv_stages(model: keras.Model) -> list[inspect.Stage]:
    return [stage for stage in inspect.stages(model) if stage.kind == "conv"]


def top_patches(classifier: Classifier, progress=None) -> list[StagePatches]:
    """Return every convolution stage's top patches, from the cache or one pass over the
    test digits (a few seconds on 2 cores)."""
    card, model = classifier.card, classifier.model
    stages = conv_stages(model)
    images = datasets.load(card.dataset).images("test")[:PATCH_SAMPLES]
    kept = model_cache.load(card, "patches")
    if kept is None:
        kept = _find_patches(classifier, stages, images, progress)
        model_cache.save(card, "patches", **kept)
    found = []
    for k, stage in enumerate(stages):
        field = receptive_field(model, stage.layers[-1])
        indices, rows, cols = kept[f"index{k}"], kept[f"row{k}"], kept[f"col{k}"]
        found.append(StagePatches(stage.name, field, _cut(images[:, :, :, 0], field, indices,
                                                          rows, cols),
                                  kept[f"value{k}"], indices))
    return found


def _find_patches(classifier: Classifier, stages: list[inspect.Stage], images: np.ndarray,
                  progress) -> dict[str, np.ndarray]:
    model = classifier.model
    taps = Taps(model)
    tapped = taps.model([taps.output(stage.layers[-1]) for stage in stages])
    run = tf.function(lambda x: tapped(x, training=False))
    best = [[] for _ in stages]  # per stage: (value, where) of each chunk
    chunk = 500
    for start in range(0, len(images), chunk):
        with classifier.lock:
            maps = run(images[start : start + chunk])
        for k, m in enumerate(maps):
            flat = tf.reshape(m, (m.shape[0], -1, m.shape[-1]))
            best[k].append((tf.reduce_max(flat, axis=1).numpy(),
                            tf.argmax(flat, axis=1).numpy()))
        if progress is not None:
            progress(min(1.0, (start + chunk) / len(images)))
    kept: dict[str, np.ndarray] = {}
    for k, m in enumerate(best):
        values = np.concatenate([v for v, _ in m])  # (n, filters)
        where = np.concatenate([w for _, w in m])
        width = tapped.outputs[k].shape[2]
        top = np.argsort(-values, axis=0)[:TOP].T  # (filters, TOP) image indices
        filters = np.arange(values.shape[1])[:, None]
        kept[f"index{k}"] = top
        kept[f"value{k}"] = values[top, filters]
        kept[f"row{k}"], kept[f"col{k}"] = np.divmod(where[top, filters], width)
    return kept


def _cut(images: np.ndarray, field: Field, indices: np.ndarray, rows: np.ndarray,
         cols: np.ndarray) -> np.ndarray:
    """Cut each unit's window out of its digit, zero where it hangs over the edge."""
    size = field.size
    padded = np.pad(images, ((0, 0), (size, size), (size, size)))
    out = np.zeros((*indices.shape, size, size), np.float32)
    for f, k in np.ndindex(indices.shape):
        top, left = field.window(int(rows[f, k]), int(cols[f, k]))
        out[f, k] = padded[indices[f, k], top + size : top + 2 * size,
                           left + size : left + 2 * size]
    return out


def synthesise(classifier: Classifier, stage_name: str, steps: int = ASCENT_STEPS,
               seed: int = 0) -> np.ndarray:
    """Return one (28, 28) image per filter of a convolution stage, each climbed to excite
    its filter (the response before the ReLU, so a silent filter still has a gradient);
    cached per model file."""
    kept = model_cache.load(classifier.card, f"synthesised.{stage_name}")
    if kept is not None:
        return kept["images"]
    model = classifier.model
    stage = next(s for s in conv_stages(model) if s.name == stage_name)
    tap = stage.layers[-2] if len(stage.layers) > 1 else stage.layers[0]
    response = keras.Model(model.inputs[0], model.get_layer(tap).output)
    filters = response.outputs[0].shape[-1]
    blur = tf.constant(np.outer(*[np.array([1.0, 2.0, 1.0]) / 4] * 2)[:, :, None, None],
                       tf.float32)

    @tf.function
    def climb(images: tf.Tensor) -> tf.Tensor:
        for step in tf.range(steps):
            shift = tf.random.stateless_uniform((2,), (seed, step), -1, 2, tf.int32)
            moved = tf.roll(images, shift, axis=(1, 2))
            with tf.GradientTape() as tape:
                tape.watch(moved)
                maps = response(moved, training=False)
                own = tf.linalg.diag_part(tf.reduce_mean(maps, axis=(1, 2)))  # image i, filter i
                # Ink costs: without it a filter that likes brightness climbs to a white page.
                ink = tf.reduce_mean(moved, axis=(1, 2, 3))
                objective = tf.reduce_sum(own / (tf.stop_gradient(tf.abs(own)) + 1e-3)
                                          - INK_COST * ink)
            gradient = tape.gradient(objective, moved)
            gradient /= tf.math.reduce_std(gradient, axis=(1, 2, 3), keepdims=True) + 1e-8
            moved = moved + ASCENT_RATE * gradient - DECAY * moved
            images = tf.roll(moved, -shift, axis=(1, 2))
            if step % BLUR_EVERY == 0:
                images = tf.nn.conv2d(images, blur, 1, "SAME")
            images = tf.clip_by_value(images, 0.0, 1.0)
        return images

    rng = np.random.default_rng(seed)
    start = (0.1 * rng.random((filters, *classifier.input_shape))).astype(np.float32)
    with classifier.lock:
        images = climb(start).numpy()[:, :, :, 0]
    model_cache.save(classifier.card, f"synthesised.{stage_name}", images=images)
    return images
