"""Draw a digit and see what an MLP and a CNN make of it, side by side."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import classroom, store
from core.data import datasets
from core.figures import plots
from core.inference import denoise, predict
from core.models import zoo
from core.training import fit, keras_loop
from ui import charts, inputs, runtime
from ui import classroom as roles

DATASET = "mnist"
SOURCES = ("Draw", "Upload", "Test sample")
AUTO = "Most accurate available"

st.title("Draw a digit")
st.caption("Draw a digit with the mouse or a finger. Two real networks trained on MNIST read "
           "it as you draw; the heatmaps show which pixels swayed each of them.")

manager = runtime.job_manager()


@st.fragment(run_every=1.0)
def render_training_status(seen: tuple[str, ...]) -> None:
    """Background training, live; reruns the page when a new model lands in the store."""
    if runtime.store_signature(DATASET) != seen:
        st.rerun(scope="app")
    if not runtime.training_jobs(manager):
        return
    with st.container(border=True):
        has_cnn = predict.best_card(DATASET, zoo.CNNS) is not None
        if has_cnn:
            st.markdown("**A stronger model is training in the background.** It replaces the "
                        "current one on this page as soon as it is ready.")
        else:
            st.markdown("**The first models are training on this machine.** Draw already: "
                        "the predictions appear here the moment a model is ready.")
        runtime.render_jobs(manager, "draw.job")


def choose_cnn() -> store.Card | None:
    """Return the card of the CNN to use, None if none is trained yet."""
    ranked = predict.ranked_cards(DATASET, zoo.CNNS)
    choice = st.selectbox("CNN on the right", [AUTO, *(card.name for card in ranked)],
                          key="draw.cnn")
    chosen = [card for card in ranked if card.name == choice]
    return chosen[0] if chosen else next(iter(ranked), None)


def share_with_class(image: np.ndarray) -> None:
    """Opt in to send this drawing, with the digit meant, to the class pool (Classroom page)."""
    if not st.toggle("Share my drawings with the class", key="draw.share",
                     help="Only the 28x28 image and the digit you meant are kept, for the "
                          "Classroom page's confusion matrix."):
        return
    meant_col, send_col = st.columns([3, 1], vertical_alignment="bottom")
    meant = meant_col.selectbox("The digit I meant", range(10), key="draw.meant")
    if send_col.button("Send", key="draw.send", icon=":material/send:"):
        try:
            st.session_state["draw.last_sent"] = classroom.add_drawing(
                image, meant, st.session_state.get("draw.last_sent"))
        except ValueError as error:
            st.warning(str(error))
            return
        st.success(f"Sent. The class has {classroom.drawings_count():,} drawings: see them on "
                   "the Classroom page.")


def render_model(column, title: str, classifier: predict.Classifier | None,
                 image: np.ndarray | None, true_label: int | None,
                 names: tuple[str, ...]) -> None:
    """A network's panel: its name and record, and its answer, all in one element."""
    with column:
        if classifier is None:
            st.subheader(title)
            offer_training(title, names)
            return
        card = classifier.card
        record = (f"{card.test_accuracy:.2%} on the 10,000 MNIST test digits · "
                  f"{denoise.trained_for(card)}"
                  + (" · quick first-launch model" if card.quick else ""))
        if image is None:
            charts.heading(st, card.title, record)
            return
        result = classifier.predict(image, saliency=True)
        verdict = charts.verdict_html(result, str(result.digit), VERDICTS, NOVELTY_HELP,
                                      score="not-a-digit score")
        charts.answer(st, str(result.digit), result, image, datasets.DIGITS, verdict,
                      true_label, charts.heading_html(card.title, record))


def offer_training(title: str, names: tuple[str, ...]) -> None:
    """While one of the panel's models trains, say the panel fills in; when none does (first
    launch's training stopped, or switched off), say so and offer to train the first."""
    prefixes = tuple(keras_loop.training_key(name, DATASET) for name in names)
    if any(job.key.startswith(prefixes) for job in runtime.training_jobs(manager)):
        st.info("Training… this panel fills in as soon as the model is ready.")
        return
    st.info(f"No {title} is trained yet, and none is training.")
    if roles.button(f"Train {names[0]}", key=f"draw.train.{names[0]}",
                    icon=":material/model_training:"):
        fit.submit_training(manager, names[0], DATASET)
        st.rerun(scope="app")  # the page's training panel follows it


VERDICTS = ("Looks like a digit:", "This does not look like a digit.")  # (calm, flagged)
NOVELTY_HELP = ("A softmax always names a digit, a smiley included, and is often sure of it. "
                "This score asks the network's own features instead: a detector fitted on "
                "training digits and on generated drawings that are not digits (stars, "
                "letters, scribbles...). Its threshold keeps 99.5 % of held-out MNIST test "
                "digits below it.")

st.html(charts.ANSWER_STYLE)
# Always there, empty when nothing trains: had the training panel come and gone in the page's
# own place, everything after it would move one place up or down, and the canvas, remade in
# its new place, would lose the drawing it shows.
with st.container():
    if runtime.training_jobs(manager):  # poll only while something trains
        render_training_status(runtime.store_signature(DATASET))


# The controls that change rarely stay out of the fragment below: a stroke reruns the
# fragment, and each widget in it is more work for the server at every stroke.
source_col, _, cnn_col = st.columns([1.05, 1, 1], gap="large", vertical_alignment="bottom")
with source_col:
    source = inputs.source("draw", SOURCES)
    stroke = inputs.stroke_width("draw") if source == "Draw" else None
with cnn_col:
    cnn_card = choose_cnn()
if cnn_card is not None:
    runtime.announce_swap("draw.version", cnn_card, f"{cnn_card.title} "
                          f"({cnn_card.test_accuracy:.2%} on the test set) is ready and "
                          "now reads your drawings.")
mlp_card = next((card for name in zoo.MLPS if (card := store.read_card(name, DATASET))), None)


@st.fragment
def draw_and_read(source: str, stroke: int | None, mlp_card: store.Card | None,
                  cnn_card: store.Card | None) -> None:
    """The input and both networks' answers; a fragment, so a stroke reruns only this and not
    the navigation, the sidebar, the header and the controls around it. The cards come from
    the page's last full run: a model this server trains reruns the whole page when it lands
    (render_training_status); one trained by another process shows at the next full run."""
    input_col, mlp_col, cnn_col = st.columns([1.05, 1, 1], gap="large")
    with input_col:
        if source == "Draw":
            image, true_label, message = inputs.canvas("draw", stroke=stroke)
        else:
            image, true_label, message = inputs.SOURCES[source]("draw")
        if image is not None:
            charts.pixels(st, plots.gray_to_rgb(image), 140,
                          "What the networks see: 28x28, cropped to the ink, fitted in 20x20, "
                          "centred by mass")
            share_with_class(image)
        else:
            st.info(message or "Draw a digit.")
    mlp = runtime.load_classifier(mlp_card.name, DATASET) if mlp_card else None
    cnn = runtime.load_classifier(cnn_card.name, DATASET) if cnn_card else None
    render_model(mlp_col, "MLP", mlp, image, true_label, zoo.MLPS)
    render_model(cnn_col, "CNN", cnn, image, true_label, zoo.CNNS)


draw_and_read(source, stroke, mlp_card, cnn_card)
