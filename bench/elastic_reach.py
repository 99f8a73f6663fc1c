"""Issue 18's elastic gap: `cnn_best` trained with other elastic reaches and clean epochs.

Each variant REACH:CLEAN trains the recipe with its elastic wobble reaching REACH times the
redrawing's strength and its last CLEAN epochs without redrawing, and measures it on the
clean test set and under every transformation at the reference strength, on
bench.robustness's 2,000 test digits and on all 10,000.

    python -m bench.elastic_reach [REACH:CLEAN ...] [--epochs N] [--seed S]

By default the recipe before issue 18's change (1:0) and today's (1.6:2). Each trains
`cnn_best` in full (13-20 minutes on a slow 2-core host), so this is not part of
`make bench`.
"""

from __future__ import annotations

import argparse
import dataclasses

import keras
import numpy as np

from bench.common import write
from bench.robustness import SAMPLES, transformations
from bench.speed import trained
from core.data import datasets
from core.inference import predict
from core.models import zoo


def accuracy_of(model: keras.Model):
    """A bare Keras classifier's accuracy function, for robustness.transformations."""
    def accuracy(images: np.ndarray, labels: np.ndarray) -> float:
        return predict.accuracy_of(model.predict(images.reshape(-1, 28, 28, 1),
                                                 batch_size=1000, verbose=0), labels)

    return accuracy


def main(variants: list[tuple[float, int]], epochs: int | None = None, seed: int = 0) -> dict:
    mnist = datasets.load("mnist")
    images, labels = mnist.images("test"), mnist.labels("test")
    recipe = zoo.spec("cnn_best").train
    runs = []
    for reach, clean in variants:
        config = dataclasses.replace(recipe, epochs=epochs or recipe.epochs, seed=seed,
                                     elastic_reach=reach, clean_final_epochs=clean)
        figures, model = trained(zoo.spec("cnn_best").build, config)
        accuracy = accuracy_of(model)
        runs.append({"reach": reach, "clean_final_epochs": clean, "seed": seed, **figures,
                     "bench_digits": transformations(accuracy, images[:SAMPLES],
                                                     labels[:SAMPLES]),
                     "all_test_digits": transformations(accuracy, images, labels)})
    return write("elastic_reach", {"goals": {"drop_points": 2.0, "test_accuracy": 0.995},
                                   "runs": runs})


def variant(text: str) -> tuple[float, int]:
    reach, _, clean = text.partition(":")
    return float(reach), int(clean or 0)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    recipe = zoo.spec("cnn_best").train
    parser.add_argument("variants", nargs="*", type=variant, metavar="REACH:CLEAN",
                        default=[(1.0, 0), (recipe.elastic_reach, recipe.clean_final_epochs)],
                        help="for example 1.6:2 (default: 1:0 and the recipe's own)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    print(main(arguments.variants, arguments.epochs, arguments.seed))
