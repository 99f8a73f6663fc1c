"""Inside the CNN: the feature maps of every layer for one digit, the arithmetic behind a
single number of a feature map, your own kernel, and a CNN written in plain NumPy."""

from __future__ import annotations

import streamlit as st

from core import store
from core.data import datasets
from core.figures import plots
from core.inference import inspect, predict
from core.models import zoo
from core.training import teach
from ui import conv_steps, feature_maps, inputs, kernel_lab, numpy_lab, runtime

DATASET = "mnist"
SOURCES = ("Your drawing", "Upload", "Test sample")

st.title("Inside the CNN")
st.caption("What each convolution and pooling layer makes of a digit, and what the numbers in "
           "a feature map actually are. Nothing here is a picture of a network: every map is "
           "computed from your digit by the real trained model.")

manager = runtime.job_manager()


def choose_classifier() -> predict.Classifier | None:
    """A digit CNN, or a network taught new symbols on the Teach page."""
    ranked = predict.ranked_cards(DATASET, zoo.CNNS) + store.cards(teach.DATASET)
    if not ranked:
        st.info("No CNN is trained yet. The first one is on its way; this page fills in as "
                "soon as it is ready.")
        runtime.render_jobs(manager, "inside.job")
        return None
    by_key = {f"{card.dataset}/{card.name}": card for card in ranked}
    key = st.selectbox("Network", list(by_key), key="inside.cnn",
                       format_func=lambda k: f"{by_key[k].title} ({by_key[k].name})")
    return runtime.load_classifier(by_key[key].name, by_key[key].dataset)


def verdict(classifier: predict.Classifier, reading: int, sure: float) -> str:
    """What the network reads, in its own classes, and how well it does on its test set."""
    classes = classifier.card.metrics.get("classes", datasets.DIGITS)
    text = f"{classifier.card.title} reads this as **{classes[reading]}**, {sure:.0%} sure"
    if true_label is not None and classifier.card.dataset == DATASET:
        text += " ✓" if reading == true_label else f" ✗ (it is a {true_label})"
    measured_on = ("the MNIST test set" if classifier.card.dataset == DATASET
                   else "its held-out drawings")
    return f"{text} · {classifier.card.test_accuracy:.2%} on {measured_on}"


input_col, model_col = st.columns([1, 1.4], gap="large")
with input_col:
    image, true_label, message = inputs.choose("inside", SOURCES)
with model_col:
    classifier = choose_classifier()
    inspection = None
    if classifier is not None and image is not None:
        inspection = inspect.inspector(classifier).inspect(image)
        st.markdown(verdict(classifier, inspection.digit, inspection.probabilities.max()))
if image is not None:
    input_col.image(plots.upscale(plots.gray_to_rgb(image), 140), width=140,
                    caption="The 28x28 input the network sees")
else:
    st.info(message or "Choose an input.")

maps_tab, steps_tab, kernel_tab, numpy_tab, scratch_tab = st.tabs([
    "Feature maps", "Convolution step by step", "Your own kernel", "NumPy vs Keras",
    "A CNN in plain NumPy"])
with maps_tab:
    if inspection is not None:
        feature_maps.render(inspection, classifier.model)
with steps_tab:
    if inspection is not None:
        conv_steps.render(inspection, classifier.model)
with kernel_tab:
    if image is not None:
        kernel_lab.render(image)
with numpy_tab:
    if inspection is not None:
        numpy_lab.render_forward(inspection, classifier.model)
with scratch_tab:
    numpy_lab.render_training(manager, image)
