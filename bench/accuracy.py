"""Test accuracy of every stored model on the full test set, beside the seeds' figures."""

from __future__ import annotations

from bench.common import write
from core import store
from core.data import datasets
from core.inference import predict
from core.models import zoo

# What the seeds report (MNIST unless noted) and the goals of the foundation issue.
PUBLISHED = {"cnn_report": 0.993, "mlp": 0.98}
GOALS = {"cnn_best": 0.995}


def main() -> dict:
    models = {}
    for card in [c for c in store.cards() if c.name in zoo.CLASSIFIERS]:
        loaded = datasets.load(card.dataset)
        accuracy = predict.load_classifier(card.name, card.dataset).accuracy(
            loaded.images("test"), loaded.labels("test"))
        models[f"{card.dataset}/{card.name}"] = {
            "test_accuracy": round(accuracy, 4), "published": PUBLISHED.get(card.name),
            "goal": GOALS.get(card.name), "epochs": card.epochs,
            "train_seconds": round(card.train_seconds, 1), "quick_recipe": card.quick,
        }
    return write("accuracy", {"test_images": 10000, "models": models})


if __name__ == "__main__":
    print(main())
