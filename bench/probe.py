"""Probe's hot paths and figures, warm, on the digits of the test set standing in for
drawings: FGSM, PGD (20 steps), the smallest flipping epsilon, Grad-CAM + occlusion, the
nearest training digits, an operation (switching filters off; pruning) to updated
probabilities and 2,000-digit accuracy, the points map (PCA, t-SNE, UMAP: first time and
cached), and attack success at epsilon 0.1 and 0.2 (PGD, L-infinity, 20 steps) on 1,000 test
digits for the MLP, cnn_best and cnn_robust. Needs those in the store
(`python -m core models train cnn_robust`). `python -m bench.probe page` measures only what
the Probe page, open on a test digit, costs a lab run training meanwhile.

    python -m bench.probe [page]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import lab as lab_bench
from bench.common import home_restored, page_throughput, percentiles, train_with_page_open, write
from bench.gan import judge_home
from core import settings, store
from core.data import datasets
from core.inference import attacks, explain, points_map, predict, surgery
from core.training import lab
from tests.e2e.browser import start_lab_training, wait_idle

CNN = "cnn_best"
ROBUSTNESS_MODELS = ("mlp", "cnn_best", "cnn_robust")
DRAWINGS = 20
RUN_TIMEOUT_S = 600
GOALS = {"page_throughput_ratio": 0.90}


def timed(work, inputs) -> dict:
    work(inputs[0])  # warm: traced and cached
    samples = []
    for item in inputs:
        start = time.perf_counter()
        work(item)
        samples.append(time.perf_counter() - start)
    return percentiles(samples)


def once(work) -> float:
    start = time.perf_counter()
    work()
    return round(time.perf_counter() - start, 2)


def maps_timed(cnn: predict.Classifier) -> dict:
    """The first map from the penultimate layer by each method, first time and cached, and
    the slowest first PCA map of the other layers (the layer slider under PCA). Those come
    before t-SNE and UMAP, whose worker threads stay busy for a while after them."""
    layer = points_map.layers(cnn.model)[-2]
    maps = {"layer": layer}
    for method in points_map.SLOW_METHODS:
        points_map.model_cache.path(cnn.card, f"map.{method}.{layer}").unlink(missing_ok=True)
    maps["PCA_first_s"] = once(lambda: points_map.points_map(cnn, layer, "PCA"))
    others = {other: once(lambda other=other: points_map.points_map(cnn, other, "PCA"))
              for other in points_map.layers(cnn.model) if other != layer}
    maps["PCA_slowest_other_layer"] = max(others, key=others.get)
    maps["PCA_slowest_other_layer_s"] = others[maps["PCA_slowest_other_layer"]]
    for method in points_map.SLOW_METHODS:
        maps[f"{method}_first_s"] = once(lambda m=method: points_map.points_map(cnn, layer, m))
        maps[f"{method}_cached_s"] = once(lambda m=method: points_map.points_map(cnn, layer, m))
    return maps


def main(page_only: bool = False) -> dict:
    """Every figure, or (`python -m bench.probe page`) only the page's cost in throughput."""
    if page_only:
        return write("probe_page", {"goals": GOALS, "page": page_cost()})
    loaded = datasets.load("mnist")
    images, labels = loaded.images("test")[:, :, :, 0], loaded.labels("test")
    drawings = list(images[-DRAWINGS:])
    cnn = predict.Classifier(store.load(CNN, "mnist"))
    attacker, explainer = attacks.attacker(cnn), explain.explainer(cnn)
    index = explain.feature_index(cnn)
    table = surgery.table(cnn)
    stage = surgery.operable_layers(cnn.model)[1]
    switch_off = surgery.Operation(switched_off=((stage, tuple(range(8))),))
    prune = surgery.Operation(prune_share=0.3)
    result = {
        "model": CNN,
        "fgsm": timed(lambda image: attacker.attack(image, 0.1, steps=1), drawings),
        "pgd": timed(lambda image: attacker.attack(image, 0.1), drawings),
        "smallest_epsilon": timed(lambda image: attacker.smallest_epsilon(image), drawings),
        "grad_cam_and_occlusion": timed(
            lambda image: (explainer.grad_cam(image, 0), explainer.occlusion(image, 0)),
            drawings),
        "nearest": timed(lambda image: index.nearest(explainer.features(image[None])[0]),
                         drawings),
        "switch_off_8_filters": timed(lambda image: table.outcome(switch_off, image), drawings),
        # Pruning, scaling and conv1_1 (whose kept activations would be too big) run the
        # whole network.
        "prune_30_percent": timed(lambda image: table.outcome(prune, image), drawings),
    }
    result["points_map"] = maps_timed(cnn)
    robustness = {}
    for name in ROBUSTNESS_MODELS:
        card = store.read_card(name, "mnist")
        if card is None:
            continue
        found = attacks.attacker(predict.Classifier(store.load(name, "mnist")))
        robustness[name] = {
            "test_accuracy": round(card.test_accuracy, 4),
            "train_seconds": round(card.train_seconds),
            **{f"eps_{eps}": attacks.robustness(found, images[:1000], labels[:1000], eps)
               .as_dict() for eps in (0.1, 0.2)}}
    result["robustness"] = robustness
    result["goals"], result["page"] = GOALS, page_cost()
    return write("probe", result)


def with_probe_open(home: Path) -> dict:
    """The lab's page run started from the lab page, which then goes to Probe (a test digit,
    its first tab) and stays there until the run has ended."""
    os.environ[settings.HOME_ENV] = str(home)
    before = len(lab.runs())

    def start_then_probe(page, url: str) -> None:
        start_lab_training(page, url, epochs=lab_bench.PAGE_EPOCHS)
        wait_idle(page)
        page.goto(f"{url}/probe")
        wait_idle(page)
        page.get_by_text("Test sample", exact=True).click()
        wait_idle(page)
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while len(runs := lab.runs()) == before or runs[-1].state in ("queued", "training"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the lab run did not end in {RUN_TIMEOUT_S} s")
            time.sleep(1)

    train_with_page_open(home, start_then_probe, None, 0)
    return lab_bench.last_run_rate()


def page_cost() -> dict:
    """The lab's page-run recipe headless against the same run with Probe open, in pairs."""
    with home_restored(), tempfile.TemporaryDirectory(prefix="nc-bench-probe-") as root:
        home = judge_home(Path(root))
        return page_throughput(lambda: lab_bench.headless_rate(home),
                               lambda: with_probe_open(home))


if __name__ == "__main__":
    print(json.dumps(main(page_only=sys.argv[1:] == ["page"])))
