"""Issue 18's elastic gap: `cnn_best` trained with its recipe as it is and with the
augmentation's elastic wobble reaching further (core.data.distortions.ELASTIC_REACH), each
measured on the clean test set and under every transformation at the reference strength,
on bench.robustness's 2,000 test digits and on all 10,000.

    python -m bench.elastic_reach [REACH ...] [--epochs N]

Each reach trains `cnn_best` in full (13-20 minutes on a slow 2-core host), so this is not
part of `make bench`.
"""

from __future__ import annotations

import argparse
import dataclasses

import keras
import numpy as np

from bench.common import write
from bench.robustness import SAMPLES, transformations
from bench.speed import trained
from core.data import datasets, distortions
from core.inference import predict
from core.models import zoo


def accuracy_of(model: keras.Model):
    """A bare Keras classifier's accuracy function, for robustness.transformations."""
    def accuracy(images: np.ndarray, labels: np.ndarray) -> float:
        return predict.accuracy_of(model.predict(images.reshape(-1, 28, 28, 1),
                                                 batch_size=1000, verbose=0), labels)

    return accuracy


def main(reaches: list[float], epochs: int | None = None) -> dict:
    mnist = datasets.load("mnist")
    images, labels = mnist.images("test"), mnist.labels("test")
    recipe = zoo.spec("cnn_best").train
    recipe = dataclasses.replace(recipe, epochs=epochs or recipe.epochs)
    kept, runs = distortions.ELASTIC_REACH, []
    try:
        for reach in reaches:
            distortions.ELASTIC_REACH = reach  # augment reads it at every batch
            figures, model = trained(zoo.spec("cnn_best").build, recipe)
            accuracy = accuracy_of(model)
            runs.append({"reach": reach, **figures,
                         "bench_digits": transformations(accuracy, images[:SAMPLES],
                                                         labels[:SAMPLES]),
                         "all_test_digits": transformations(accuracy, images, labels)})
    finally:
        distortions.ELASTIC_REACH = kept
    return write("elastic_reach", {"goals": {"drop_points": 2.0, "test_accuracy": 0.995},
                                   "runs": runs})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reaches", nargs="*", type=float, default=[1.0, 1.6])
    parser.add_argument("--epochs", type=int, default=None)
    arguments = parser.parse_args()
    print(main(arguments.reaches, arguments.epochs))
