"""The lab's Understand & export section: what a trained classifier gets wrong, how its
weights moved, and the model and a script to take home."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from core import store
from core.data import datasets, image_grid, symbol_pool
from core.figures import lab_plots, trust_plots
from core.inference import calibration, evaluation, predict
from core.models import zoo
from core.training import export, lab, teach
from ui import runtime

GALLERY = 24


@dataclass(frozen=True)
class TestSet:
    """What a classifier is measured on: a dataset's test set, or for a network taught new
    symbols the class's examples it never learnt from."""

    images: np.ndarray  # as the model reads them
    labels: np.ndarray
    names: tuple[str, ...]
    pictures: np.ndarray  # for the gallery of mistakes
    what: str


def test_set(card: store.Card) -> TestSet | None:
    """The card's test set; None (after saying why) when a taught network's classes are no
    longer the Teach page's."""
    if card.dataset != teach.DATASET:
        loaded = datasets.load(card.dataset)
        return TestSet(loaded.images("test"), loaded.labels("test"),
                       datasets.info(card.dataset).class_names, loaded.x_test, "test images")
    pool = symbol_pool.read()
    if tuple(card.metrics.get("classes", ())) != pool.classes:
        st.info(f"{card.name} reads {', '.join(card.metrics.get('classes', ()))}; the Teach "
                f"page's classes are now {', '.join(pool.classes)}. Name its classes again there "
                "to measure it on the class's examples.")
        return None
    learnt = set(card.metrics.get("train_ids", ()))
    unseen = np.array([i for i, example in enumerate(pool.ids) if example not in learnt], int)
    return TestSet(pool.images[unseen], pool.labels[unseen], pool.classes, pool.images[unseen],
                   "examples it never learnt from")


@st.cache_data(show_spinner="Classifying the whole test set…", max_entries=8)
def test_probabilities(name: str, dataset: str, sha256: str, version: tuple,
                       _images: np.ndarray) -> np.ndarray:
    """The model's probabilities for its test images (cached per stored file and, for a
    taught network, per state of the Teach page's examples)."""
    del sha256, version  # they key the cache
    return runtime.load_classifier(name, dataset).probabilities(_images)


def section(dataset: str) -> None:
    cards = sorted((c for c in store.cards(dataset) if _is_classifier(c)),
                   key=lambda c: -c.trained_at)
    if not cards:
        st.info(f"No classifier is trained on {title(dataset)} yet: train one in "
                "the *Train* section" + (" (Teach page)." if dataset == teach.DATASET else "."))
        return
    by_name = {card.name: card for card in cards}
    name = st.selectbox("Model", list(by_name), key=f"lab.understand.{dataset}",
                        format_func=lambda n: f"{by_name[n].title} ({n}) · "
                                              f"{by_name[n].test_accuracy:.2%}")
    card = by_name[name]
    if runtime.load_classifier(name, dataset) is None or (tested := test_set(card)) is None:
        return
    if not len(tested.labels):
        st.info("Every example of the Teach page was learnt from: draw new ones to measure it.")
        return
    version = symbol_pool.version() if dataset == teach.DATASET else ()
    probabilities = test_probabilities(name, dataset, card.sha256, version, tested.images)
    labels, names = tested.labels, tested.names
    result = evaluation.evaluate(probabilities, labels)
    st.markdown(f"**{result.accuracy:.2%}** of {int(result.confusion.sum()):,} {tested.what} "
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
    gallery(result, tested.pictures, names)
    calibration_view(probabilities, labels)
    run = _lab_run(card)
    if run is not None:
        histograms(run)
    downloads(card, run)


def title(dataset: str) -> str:
    """A dataset's title; the Teach page's networks are under "New symbols"."""
    return "New symbols (Teach page)" if dataset == teach.DATASET else datasets.info(dataset).title


def _is_classifier(card: store.Card) -> bool:
    return (card.name.startswith("lab_") or card.name in zoo.CLASSIFIERS
            or card.dataset == teach.DATASET)


def _lab_run(card: store.Card) -> lab.LabRun | None:
    run_id = card.metrics.get("lab_run")
    return None if run_id is None else lab.run_by_id(run_id)


def gallery(result: evaluation.Evaluation, images: np.ndarray, names: tuple[str, ...]) -> None:
    """The test images it got wrong most confidently."""
    st.markdown(f"**The {min(GALLERY, len(result.mistakes))} mistakes it was surest of**")
    columns = st.columns(8)
    for index, mistake in enumerate(result.mistakes[:GALLERY]):
        with columns[index % 8]:
            st.image(image_grid.tile(images[mistake.index][None], 1, scale=4, gap=0),
                     width="stretch")
            st.caption(f"true **{names[mistake.true]}**, read **{names[mistake.predicted]}** "
                       f"({mistake.confidence:.0%})")


def calibration_view(probabilities: np.ndarray, labels: np.ndarray) -> None:
    """Is it right 90 % of the time when it says 90 %? Before and after temperature scaling,
    and what an "I don't know" threshold trades."""
    st.markdown("**Calibration: can its confidence be trusted?**")
    found = calibration.calibrate(probabilities, labels)
    before, after = st.columns(3)[:2]
    before.metric("Expected calibration error, as trained", f"{found.before.ece:.2%}",
                  help="The gap between confidence and accuracy, averaged over the test images "
                       "(15 bins of confidence). 0 is a model that is right 90 % of the time "
                       "when it says 90 %.")
    after.metric(f"After temperature scaling (T = {found.temperature:.2f})",
                 f"{found.after.ece:.2%}",
                 delta=f"{100 * (found.after.ece - found.before.ece):+.2f} points",
                 delta_color="inverse",
                 help=f"T is fitted on the first {found.held_out:,} test images and the errors "
                      f"are measured on the other {found.evaluated:,}. Dividing the "
                      "log-probabilities by T > 1 makes the model less sure; T < 1 surer. It "
                      "never changes the answer.")
    st.plotly_chart(trust_plots.reliability(found.after.edges, found.before.accuracy,
                                            found.after.accuracy, found.after.counts),
                    key="lab.reliability", config={"displayModeBar": False})
    threshold = st.slider("Answer only when at least this sure (else say \"I don't know\")",
                          0.10, 0.99, 0.90, 0.01, key="lab.confidence_threshold",
                          help="With temperature scaling applied. Below the threshold the model "
                               "abstains: fewer answers, and fewer of them wrong.")
    scaled = calibration.scale(probabilities, found.temperature)
    thresholds = np.linspace(0.1, 0.999, 120)
    share, accuracy = calibration.coverage_curve(scaled, labels, thresholds)
    chosen_share, chosen_accuracy = calibration.coverage_curve(scaled, labels, [threshold])
    left, right = st.columns([1, 2])
    left.metric("Answered", f"{chosen_share[0]:.1%}")
    left.metric("Right among those", f"{chosen_accuracy[0]:.2%}"
                if chosen_share[0] else "—")
    always = predict.accuracy_of(probabilities, labels)
    left.caption(f"Over all {len(labels):,} test images: {always:.2%} when it must always "
                 "answer.")
    right.plotly_chart(trust_plots.coverage(thresholds, share, accuracy, threshold),
                       key="lab.coverage", config={"displayModeBar": False})


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
