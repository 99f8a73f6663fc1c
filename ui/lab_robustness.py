"""The lab's Robustness section: the MNIST test set drawn as other writers might (rotated,
slanted, resized, wobbled, thicker, thinner, blurred, scanned coarsely), read by the MLPs
and the CNNs side by side, and the mistakes each makes."""

from __future__ import annotations

import streamlit as st

from core import store
from core.data import datasets, distortions, image_grid
from core.figures import trust_plots
from core.inference import robustness
from core.models import zoo
from ui import runtime

DATASET = "mnist"
SAMPLES = 1000  # test digits per transformation in the page (the bench uses 2,000)
GALLERY = 16


@st.cache_data(show_spinner="Distorting 1,000 test digits eight ways and reading them…",
               max_entries=16)
def measure(names: tuple[str, ...], strength: float,
            _shas: tuple[str, ...]) -> robustness.Robustness:
    """Accuracy per transformation per classifier (cached per set of model files)."""
    test = datasets.load(DATASET)
    readers = {name: runtime.load_classifier(name, DATASET).probabilities for name in names}
    return robustness.measure(readers, test.images("test")[:SAMPLES],
                              test.labels("test")[:SAMPLES], strength)


def section() -> None:
    cards = {card.name: card for card in store.cards(DATASET)
             if card.name in zoo.CLASSIFIERS or card.name.startswith("lab_")}
    if not cards:
        st.info("No classifier is trained on MNIST digits yet: train one in the *Train* section.")
        return
    st.markdown("Other people's handwriting is not MNIST's. Each test digit is redrawn eight "
                "ways at the strength you choose; **0.5** is what a person's writing plausibly "
                "does (rotated by 15°, strokes a pixel thicker). The readers trained on redrawn "
                "digits (`cnn_best`, `mlp_augmented`) should hold their accuracy where the "
                "seeds' own models drop.")
    preferred = [name for name in (*zoo.MLPS, *zoo.CNNS) if name in cards]
    names = st.multiselect("Classifiers", list(cards), default=preferred[:4],
                           key="lab.robust.models",
                           format_func=lambda n: f"{cards[n].title} ({n})")
    strength = st.slider("Strength of every transformation", 0.0, 1.0,
                         distortions.REFERENCE_STRENGTH, 0.1, key="lab.robust.strength",
                         help="0 leaves the digits alone; 1 rotates by 30°, slants by 0.6 "
                              "pixels per row, resizes by 40 %, thickens strokes by 2 pixels, "
                              "blurs with σ = 1.5 or scans at 10x10 pixels.")
    if not names:
        st.info("Choose at least one classifier.")
        return
    if any(runtime.load_classifier(name, DATASET) is None for name in names):
        return
    result = measure(tuple(names), strength, tuple(cards[n].sha256 for n in names))
    kinds = ["clean", *distortions.TRANSFORMS]
    titles = ["Clean", *(distortions.TITLES[k] for k in distortions.TRANSFORMS)]
    st.plotly_chart(trust_plots.robustness(kinds, titles, {
        name: [result.accuracy[kind][name] for kind in kinds] for name in names}),
        key="lab.robust.chart", config={"displayModeBar": False})
    worst = {name: max(result.drop(name).items(), key=lambda item: item[1]) for name in names}
    st.caption(" · ".join(f"**{name}** loses most to {distortions.TITLES[kind].lower()} "
                          f"({points:.1f} points)" for name, (kind, points) in worst.items())
               + f" · {SAMPLES:,} test digits per bar.")
    mistakes(names, strength)


def mistakes(names: list[str], strength: float) -> None:
    """What one transformation does to the digits, and the mistakes a classifier is surest of."""
    left, right = st.columns(2)
    kind = left.selectbox("Transformation", distortions.TRANSFORMS, key="lab.robust.kind",
                          format_func=lambda k: distortions.TITLES[k])
    name = right.selectbox("Classifier", names, key="lab.robust.model")
    test = datasets.load(DATASET)
    images, labels = test.images("test")[:SAMPLES], test.labels("test")[:SAMPLES]
    classifier = runtime.load_classifier(name, DATASET)
    shown, wrong = robustness.worst_mistakes(classifier.probabilities, images, labels, kind,
                                             strength, GALLERY)
    shown = shown.reshape(-1, 28, 28)
    st.markdown(f"**The first 16 test digits, {distortions.TITLES[kind].lower()} at "
                f"{strength:.1f}**")
    st.image(image_grid.tile(shown[:16], 16, scale=3), width="stretch")
    if not wrong:
        st.success(f"{name} reads every one of the {SAMPLES:,} distorted digits right.")
        return
    st.markdown(f"**The {len(wrong)} mistakes {name} was surest of**")
    columns = st.columns(8)
    for index, mistake in enumerate(wrong):
        with columns[index % 8]:
            st.image(image_grid.tile(shown[mistake.index][None], 1, scale=4, gap=0),
                     width="stretch")
            st.caption(f"true **{mistake.true}**, read **{mistake.predicted}** "
                       f"({mistake.confidence:.0%})")

