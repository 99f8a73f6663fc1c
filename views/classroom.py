"""Classroom: how the class joins, and the class's drawings read by the current model."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import classroom, store
from core.data import datasets, symbol_pool
from core.figures import lab_plots, plots
from core.inference import evaluation, predict
from core.models import zoo
from core.training import teach
from ui import classroom as roles
from ui import runtime, trash_view

DATASET = "mnist"
GALLERY = 24
REFRESH_S = 3.0

st.title("Classroom")
st.caption("Students open the shared address, draw on the Draw page and send their drawings "
           "with the digit they meant; here the whole class's drawings meet the current model.")

urls = classroom.share_urls(st.get_option("server.address"), st.get_option("server.port"))
if urls:
    st.markdown("#### Join at " + " or ".join(f"`{url}`" for url in urls))
    st.caption("Anyone on this network can open it. Students draw and watch the live training; "
               "only the instructor (this computer, or whoever types the instructor code "
               "printed in the server's terminal) starts, steers and stops it.")
else:
    st.info("Only this computer can open the app now. To let a class join, start it with "
            "`make run HOST=0.0.0.0` (or `NEURAL_CANVAS_HOST=0.0.0.0`): the address to share "
            "appears here.")


@st.cache_data(max_entries=4, show_spinner=False)
def read_pool(version: tuple[int, int], card_sha256: str | None,
              _classifier: predict.Classifier | None) -> tuple[classroom.ClassDrawings,
                                                               evaluation.Evaluation | None]:
    """The pool and the classifier's reading of it, read again only when either changes (the
    fragment polls every few seconds, for every open Classroom page)."""
    pool = classroom.drawings()
    if not len(pool) or _classifier is None:
        return pool, None
    return pool, evaluation.evaluate(_classifier.probabilities(pool.images), pool.meant)


@st.fragment(run_every=REFRESH_S)
def class_drawings() -> None:
    """The pooled drawings against the most accurate classifier, refreshed as they arrive."""
    version = classroom.pool_version()
    if version == (0, 0):
        st.info("No class drawings yet. On the Draw page, turn on *Share my drawings with the "
                "class*, pick the digit you meant and press *Send*.")
        return
    card = predict.best_card(DATASET, zoo.CLASSIFIERS)
    classifier = runtime.load_classifier(card.name, DATASET) if card else None
    pool, result = read_pool(version, card.sha256 if classifier else None, classifier)
    if result is None:
        st.info(f"{len(pool)} drawings are waiting for a trained classifier."
                if len(pool) else "No class drawings yet.")
        return
    st.markdown(f"**{len(pool):,} drawings** from the class; {card.title} reads "
                f"**{result.accuracy:.0%}** of them as the digit their author meant "
                f"(on the MNIST test set: {card.test_accuracy:.2%}).")
    matrix_col, wrong_col = st.columns([3, 2])
    with matrix_col:
        st.markdown("**Meant (rows) against read (columns)**")
        st.plotly_chart(lab_plots.confusion(result.confusion, datasets.DIGITS, height=480),
                        key="classroom.confusion", config={"displayModeBar": False})
    with wrong_col:
        st.markdown(f"**Drawings the model got wrong** ({len(result.mistakes)}), the most "
                    "confident first")
        mistakes = result.mistakes[:GALLERY]
        if mistakes:
            st.image([plots.upscale(plots.gray_to_rgb(pool.images[m.index]), 84)
                      for m in mistakes], width=84,
                     caption=[f"meant {m.true}, read {m.predicted} ({m.confidence:.0%})"
                              for m in mistakes])
        else:
            st.caption("None: every drawing was read as meant.")


class_drawings()


@st.cache_data(max_entries=4, show_spinner=False)
def read_symbols(version: tuple[int, ...], card_sha256: str,
                 _classifier: predict.Classifier) -> tuple[symbol_pool.Pool, int,
                                                          evaluation.Evaluation | None]:
    """The class's examples of new symbols (Teach page) that the network never learnt from,
    and its reading of them; read again only when the pool or the network changes."""
    pool = symbol_pool.read()
    learnt = set(_classifier.card.metrics.get("train_ids", ()))
    unseen = np.array([i for i, example in enumerate(pool.ids) if example not in learnt], int)
    if not len(unseen):
        return pool, 0, None
    return pool, len(unseen), evaluation.evaluate(
        _classifier.probabilities(pool.images[unseen]), pool.labels[unseen])


@st.fragment(run_every=REFRESH_S)
def symbol_drawings() -> None:
    """The newest network kept for the Teach page's classes, against the examples it never
    learnt from: meant against read."""
    classes = symbol_pool.classes()
    cards = [card for card in store.cards(teach.DATASET)
             if tuple(card.metrics.get("classes", ())) == classes]
    if not cards:
        return
    card = max(cards, key=lambda c: c.trained_at)
    classifier = runtime.load_classifier(card.name, teach.DATASET)
    if classifier is None:
        return
    pool, unseen, result = read_symbols(symbol_pool.version(), card.sha256, classifier)
    if result is None:
        return
    st.subheader("New symbols")
    st.markdown(f"**{unseen:,} examples** of {', '.join(classes)} that {card.name} never "
                f"learnt from: it reads **{result.accuracy:.0%}** of them as meant.")
    st.plotly_chart(lab_plots.confusion(result.confusion, classes, height=420),
                    key="classroom.symbols.confusion", config={"displayModeBar": False})


symbol_drawings()
if roles.confirmed_button("Clear the class drawings", "Clear every class drawing? They go to "
                          "the trash, from where Undo or Home can put them back.",
                          key="classroom.clear", icon=":material/delete:"):
    trash_view.remember("classroom.cleared", classroom.clear_drawings())
    st.rerun()
trash_view.offer_undo("classroom.cleared")
st.caption(f"The pool keeps up to {classroom.MAX_DRAWINGS:,} drawings as 28x28 images with the "
           "digit meant, nothing else; the instructor can clear it.")
