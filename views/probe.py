"""Probe: fool the network, ask it why, see what it has learnt, and operate on it, on your
own drawing with any digit classifier in the store."""

from __future__ import annotations

import streamlit as st

from core import store
from core.data import datasets
from core.figures import plots
from core.models import zoo
from ui import inputs, probe_fool, probe_learnt, probe_operate, probe_why, runtime

DATASET = "mnist"
SOURCES = ("Your drawing", "Upload", "Test sample")

st.title("Probe the network")
st.caption("Can I fool it? Why did it say that? What has it learnt? What if I break part of "
           "it? Every answer is computed on your digit by the real trained network.")

manager = runtime.job_manager()


def digit_classifiers() -> list[store.Card]:
    """The zoo's classifiers, lab runs and operated copies: the most accurate first."""
    found = [card for card in store.cards(DATASET)
             if card.name in zoo.CLASSIFIERS or "outputs_logits" in card.metrics]
    return sorted(found, key=lambda card: -card.test_accuracy)


cards = digit_classifiers()
TABS = {
    "Fool it": lambda classifier, image: probe_fool.render(classifier, image, datasets.DIGITS,
                                                           cards),
    "Ask it why": lambda classifier, image: probe_why.render(manager, classifier, image,
                                                             datasets.DIGITS),
    "What it has learnt": lambda classifier, image: probe_learnt.render(
        manager, classifier, image, datasets.DIGITS),
    "Operate on it": lambda classifier, image: probe_operate.render(
        manager, classifier, image, datasets.DIGITS),
}
input_col, model_col = st.columns([1, 1.4], gap="large")
with input_col:
    image, true_label, message = inputs.choose("probe", SOURCES)
with model_col:
    classifier = None
    if not cards:
        st.info("No digit classifier is trained yet. The first one is on its way; this page "
                "fills in as soon as it is ready.")
        runtime.render_jobs(manager, "probe.job")
    else:
        by_name = {card.name: card for card in cards}
        name = st.selectbox("Network", list(by_name), key="probe.network",
                            format_func=lambda n: f"{by_name[n].title} ({n}) · "
                                                  f"{by_name[n].test_accuracy:.2%}",
                            help="Any digit classifier in the store, including adversarially "
                                 "trained, lab-trained and operated-on ones.")
        classifier = runtime.load_classifier(name, DATASET)
if image is not None:
    input_col.image(plots.upscale(plots.gray_to_rgb(image), 140), width=140,
                    caption="The 28x28 input the network sees")
    if classifier is not None:
        model_col.markdown(probe_fool.reading(classifier.probabilities(image[None])[0],
                                              datasets.DIGITS).capitalize())
else:
    st.info(message or "Choose an input.")

if classifier is not None and image is not None:
    # Only the open tab runs: each one's figures cost from milliseconds to a second.
    tabs = st.tabs(list(TABS), key="probe.tab", on_change="rerun")
    for tab, show in zip(tabs, TABS.values(), strict=True):
        if tab.open:
            with tab:
                show(classifier, image)
