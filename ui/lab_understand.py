"""The lab's Understand & export section: what a trained classifier gets wrong, how its
weights moved, and the model and a script to take home."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import store
from core.data import datasets, image_grid
from core.figures import lab_plots
from core.inference import evaluation
from core.models import zoo
from core.training import export, lab
from ui import runtime

GALLERY = 24


@st.cache_data(show_spinner="Classifying the whole test set…", max_entries=8)
def evaluate(name: str, dataset: str, _sha256: str) -> evaluation.Evaluation:
    """The model's evaluation on the test set (cached per stored file)."""
    classifier = runtime.load_classifier(name, dataset)
    test = datasets.load(dataset)
    return evaluation.evaluate(classifier.probabilities(test.images("test")),
                               test.labels("test"))


def section(dataset: str) -> None:
    cards = sorted((c for c in store.cards(dataset) if _is_classifier(c)),
                   key=lambda c: -c.trained_at)
    if not cards:
        st.info(f"No classifier is trained on {datasets.info(dataset).title} yet: train one in "
                "the *Train* section.")
        return
    by_name = {card.name: card for card in cards}
    name = st.selectbox("Model", list(by_name), key=f"lab.understand.{dataset}",
                        format_func=lambda n: f"{by_name[n].title} ({n}) · "
                                              f"{by_name[n].test_accuracy:.2%}")
    card = by_name[name]
    if runtime.load_classifier(name, dataset) is None:
        return
    result = evaluate(name, dataset, card.sha256)
    names = datasets.info(dataset).class_names
    st.markdown(f"**{result.accuracy:.2%}** of {int(result.confusion.sum()):,} test images "
                f"right; {len(result.mistakes):,} wrong.")
    matrix_col, class_col = st.columns([3, 2])
    with matrix_col:
        st.markdown("**Confusion matrix** (rows: the true class; the diagonal is left white)")
        st.plotly_chart(lab_plots.confusion(result.confusion, names), key="lab.confusion",
                        config={"displayModeBar": False})
    with class_col:
        st.markdown("**Accuracy per class** (the worst in pink)")
        st.plotly_chart(lab_plots.per_class(result.per_class, names), key="lab.per_class",
                        config={"displayModeBar": False})
        worst = result.confusion.copy()
        np.fill_diagonal(worst, 0)
        true, predicted = np.unravel_index(worst.argmax(), worst.shape)
        st.caption(f"Most common mistake: {names[true]} read as {names[predicted]} "
                   f"({worst[true, predicted]} times).")
    gallery(result, dataset, names)
    run = _lab_run(card)
    if run is not None:
        histograms(run)
    downloads(card, run)


def _is_classifier(card: store.Card) -> bool:
    return card.name.startswith("lab_") or card.name in zoo.CLASSIFIERS


def _lab_run(card: store.Card) -> lab.LabRun | None:
    run_id = card.metrics.get("lab_run")
    return None if run_id is None else lab.run_by_id(run_id)


def gallery(result: evaluation.Evaluation, dataset: str, names: tuple[str, ...]) -> None:
    """The test images it got wrong most confidently."""
    st.markdown(f"**The {min(GALLERY, len(result.mistakes))} mistakes it was surest of**")
    images = datasets.load(dataset).x_test
    columns = st.columns(8)
    for index, mistake in enumerate(result.mistakes[:GALLERY]):
        with columns[index % 8]:
            st.image(image_grid.tile(images[mistake.index][None], 1, scale=4, gap=0),
                     width="stretch")
            st.caption(f"true **{names[mistake.true]}**, read **{names[mistake.predicted]}** "
                       f"({mistake.confidence:.0%})")


def histograms(run: lab.LabRun) -> None:
    """How each layer's weights spread out over the epochs."""
    if not run.histograms:
        return
    st.markdown("**Weights per layer, after each epoch** (epoch 0 is before training)")
    layer = st.selectbox("Layer", list(run.histograms), key=f"lab.layer.{run.id}")
    st.plotly_chart(lab_plots.weight_histograms(run.histograms[layer]), key="lab.histograms",
                    config={"displayModeBar": False})


def downloads(card: store.Card, run: lab.LabRun | None) -> None:
    left, right = st.columns(2)
    model_file = store.card_path(card.name, card.dataset).parent / card.file
    left.download_button("Download the model (.keras)", model_file.read_bytes(),
                         file_name=f"{card.name}.keras", key="lab.download_model",
                         icon=":material/download:")
    if run is not None:
        right.download_button("Download a script that trains it again (.py)",
                              export.script(run), file_name=f"lab_run_{run.id}.py",
                              key="lab.download_script", icon=":material/code:")
