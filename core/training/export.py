"""A standalone Python script, using only Keras and NumPy, that reproduces a lab run.

The network's builder is copied into the script from its source in this package, so the
script trains exactly the network the lab trained, with the same recipe.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import asdict

from core.models import lab_builder, zoo
from core.training import lab

TEMPLATE = '''\
"""Reproduce Neural Canvas lab run {run_id}: {title}.

{describe}. Test accuracy in the lab: {accuracy}.
Run: python {filename} [--data DATASET.npz] [--samples N] [--epochs N] [--out MODEL.keras]
(--data: a local copy of the dataset with x_train, y_train, x_test, y_test, as Keras'
own mnist.npz; without it Keras downloads the dataset.)
"""

import argparse
import math
import types

import keras
import numpy as np
from keras import layers

CONFIG = {config!r}
OPTIMIZERS = {{
    "sgd": lambda rate: keras.optimizers.SGD(rate),
    "sgd_momentum": lambda rate: keras.optimizers.SGD(rate, momentum=0.9),
    "adam": lambda rate: keras.optimizers.Adam(rate),
    "rmsprop": lambda rate: keras.optimizers.RMSprop(rate),
    "adadelta": lambda rate: keras.optimizers.Adadelta(rate),
}}


{builder}


def load(args):
    if args.data:
        with np.load(args.data) as archive:
            arrays = [archive[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    else:
        arrays = [a for pair in getattr(keras.datasets, CONFIG["dataset"]).load_data()
                  for a in pair]
    x_train, y_train, x_test, y_test = arrays
    images = [x.astype("float32") / 255.0 for x in (x_train, x_test)]
    images = [x[..., None] if x.ndim == 3 else x for x in images]
    return images[0], y_train.astype("int32").ravel(), images[1], y_test.astype("int32").ravel()


def augment(images, rng):
    """Random shifts by up to 2 pixels, and left-right flips except for digits."""
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)))
    rows, cols = rng.integers(0, 5, len(images)), rng.integers(0, 5, len(images))
    h, w = images.shape[1:3]
    shifted = np.stack([p[r:r + h, c:c + w] for p, r, c in zip(padded, rows, cols)])
    if CONFIG["dataset"] != "mnist":
        flips = rng.random(len(images)) < 0.5
        shifted[flips] = shifted[flips, :, ::-1]
    return shifted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a local .npz of the dataset")
    parser.add_argument("--samples", type=int, default=CONFIG["train_samples"])
    parser.add_argument("--epochs", type=int, default=CONFIG["epochs"])
    parser.add_argument("--out", default="lab_run_{run_id}.keras")
    args = parser.parse_args()
    keras.utils.set_random_seed(CONFIG["seed"])
    x_train, y_train, x_test, y_test = load(args)
    if args.samples:
        x_train, y_train = x_train[:args.samples], y_train[:args.samples]
    model = {build_call}
    steps = math.ceil(len(x_train) / CONFIG["batch_size"]) * args.epochs
    rate = CONFIG["learning_rate"]
    if CONFIG["cosine"]:
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps)
    model.compile(optimizer=OPTIMIZERS[CONFIG["optimizer"]](rate), metrics=["accuracy"],
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits={logits}))
    rng = np.random.default_rng(CONFIG["seed"])
    for epoch in range(args.epochs):
        inputs = augment(x_train, rng) if CONFIG["augment"] else x_train
        model.fit(inputs, y_train, batch_size=CONFIG["batch_size"], epochs=1, verbose=2)
        loss, accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)
        print(f"epoch {{epoch + 1}}: test accuracy {{accuracy:.4f}}")
    model.save(args.out)
    print(f"saved {{args.out}}")


if __name__ == "__main__":
    main()
'''


def script(run: lab.LabRun) -> str:
    """Return the standalone script for a run."""
    config = run.config
    if config.model == lab_builder.CUSTOM:
        builder = inspect.getsource(lab_builder.build_custom)
        build_call = ('build_custom(types.SimpleNamespace(**CONFIG["architecture"]), '
                      "x_train.shape[1:], 10)")
    else:
        function = zoo.spec(config.model).build
        builder = inspect.getsource(function)
        build_call = f"{function.__name__}(x_train.shape[1:], 10)"
    builder = builder.replace("arch: Architecture", "arch").replace(" -> keras.Model", "")
    accuracy = "not measured" if run.test_accuracy is None else f"{run.test_accuracy:.2%}"
    return TEMPLATE.format(
        run_id=run.id, title=config.title, describe=config.describe(), accuracy=accuracy,
        filename=f"lab_run_{run.id}.py", config=asdict(config),
        builder=textwrap.dedent(builder).rstrip(), build_call=build_call,
        logits=config.outputs_logits,
    )
