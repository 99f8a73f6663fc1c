"""Drawing to prediction on the hot path: canvas preprocessing + one forward pass (+ saliency)."""

from __future__ import annotations

import time

from bench.common import percentiles, write
from core import store
from core.data import preprocess
from core.inference import predict
from core.models import zoo
from tests.drawings import digit_canvas

REPEATS = 200
GOALS_MS = {"prediction": 15.0, "with_saliency": 40.0}


def measure(name: str) -> dict:
    classifier = predict.load_classifier(name)
    canvases = [digit_canvas(i) for i in range(20)]
    plain, explained = [], []
    for i in range(REPEATS):
        canvas = canvases[i % len(canvases)]
        started = time.perf_counter()
        classifier.predict(preprocess.from_canvas(canvas), saliency=False)
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        classifier.predict(preprocess.from_canvas(canvas), saliency=True)
        explained.append(time.perf_counter() - started)
    return {"prediction": percentiles(plain), "with_saliency": percentiles(explained)}


def main() -> dict:
    models = {card.name: measure(card.name) for card in store.cards("mnist")
              if card.name in zoo.CLASSIFIERS}
    return write("latency", {"goals_p50_ms": GOALS_MS, "models": models})


if __name__ == "__main__":
    print(main())
