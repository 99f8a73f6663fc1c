"""Probe, Fool it: adversarial examples on the user's digit, the smallest epsilon that flips
it, every network compared on it, and fooling it by hand on a canvas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from core import store
from core.figures import plots
from core.inference import attacks, predict
from ui import runtime

METHODS = {"PGD (20 steps)": attacks.PGD_STEPS, "FGSM (one step)": 1}
ANY = "Any other digit"
SIZE = 168
CANVAS = 280
CHANGED = 0.2  # a pixel counts as changed when it moves by more than this


def reading(probabilities: np.ndarray, classes: tuple[str, ...]) -> str:
    top = int(probabilities.argmax())
    return f"reads **{classes[top]}**, {probabilities[top]:.0%} sure"


def render(classifier: predict.Classifier, image: np.ndarray, classes: tuple[str, ...],
           cards: list[store.Card]) -> None:
    attacker = attacks.attacker(classifier)
    method_col, goal_col, epsilon_col = st.columns([1, 1, 1.4])
    method = method_col.radio(
        "Attack", list(METHODS), key="probe.method", horizontal=True,
        help="FGSM moves every pixel by ±epsilon at once, along the sign of the gradient. PGD "
             "takes 20 smaller steps, each time re-reading the gradient, and stays within "
             "epsilon of the original: slower and much stronger.")
    goal = goal_col.selectbox(
        "Make it read", [ANY, *classes], key="probe.goal",
        help="Untargeted: push it away from what it reads now. Targeted: pull it towards "
             "one class.")
    epsilon = epsilon_col.slider(
        "Epsilon (largest change of any pixel)", 0.0, attacks.MAX_EPSILON, 0.1, 0.01,
        key="probe.epsilon",
        help="In pixel units: 0.1 lets every pixel move by a tenth of the way from black to "
             "white. The usual MNIST benchmarks use 0.1 to 0.3.")
    target = None if goal == ANY else classes.index(goal)
    steps = METHODS[method]
    attack = attacker.attack(image, epsilon, target, steps)
    show(attack, classes, epsilon)

    search_col, compare_col = st.columns(2)
    with search_col:
        if st.button("Find the smallest epsilon that flips it", key="probe.search",
                     icon=":material/search:"):
            found = attacker.smallest_epsilon(image, target, steps)
            if found is None:
                st.warning(f"Even epsilon {attacks.MAX_EPSILON} does not make it "
                           f"{'read ' + goal if target is not None else 'change its mind'}.")
            else:
                st.success(f"{method.split(' ')[0]} flips it at epsilon **{found.epsilon:.3f}**: "
                           f"it now {reading(found.after, classes)}.")
                show(found, classes, found.epsilon)
    with compare_col:
        if st.button("Compare every network on this digit", key="probe.compare",
                     icon=":material/compare:",
                     help="The smallest PGD epsilon that flips each stored digit classifier."):
            st.dataframe(compare(cards, image, target), hide_index=True,
                         width="stretch")
    by_hand(classifier, image, classes)


def show(attack: attacks.Attack, classes: tuple[str, ...], epsilon: float) -> None:
    """The original, the perturbation (magnified) and the adversarial image, with readings."""
    original_col, change_col, adversarial_col = st.columns(3)
    original_col.image(plots.upscale(plots.gray_to_rgb(attack.original), SIZE), width=SIZE)
    original_col.markdown(f"Original: {reading(attack.before, classes)}")
    scale = max(epsilon, 1e-6)
    change_col.image(plots.upscale(plots.colour_image(attack.perturbation, scale), SIZE),
                     width=SIZE)
    change_col.markdown(f"The change, magnified {1 / scale:.0f}×: orange brighter, blue darker")
    adversarial_col.image(plots.upscale(plots.gray_to_rgb(attack.adversarial), SIZE), width=SIZE)
    verdict = "fooled ✓" if attack.flipped else "not fooled"
    adversarial_col.markdown(f"Attacked: {reading(attack.after, classes)} · {verdict}")


def compare(cards: list[store.Card], image: np.ndarray, target: int | None) -> pd.DataFrame:
    rows = []
    for card in cards:
        classifier = runtime.load_classifier(card.name, card.dataset)
        if classifier is None:
            continue
        found = attacks.attacker(classifier).smallest_epsilon(image, target)
        rows.append({"Network": card.title, "Test accuracy": f"{card.test_accuracy:.2%}",
                     "Smallest epsilon that flips it":
                         f"{found.epsilon:.3f}" if found else f"> {attacks.MAX_EPSILON}",
                     "Then reads": int(found.after.argmax()) if found else "-"})
    return pd.DataFrame(rows)


def by_hand(classifier: predict.Classifier, image: np.ndarray,
            classes: tuple[str, ...]) -> None:
    """Edit the 28x28 input itself: how few pixels does it take?"""
    st.markdown("##### Fool it by hand")
    st.caption("Each square of the canvas is one of the network's 28 × 28 pixels. Add ink or "
               "rub some out, and count how few pixels it takes to change its mind.")
    pen_col, width_col = st.columns(2)
    pen = pen_col.segmented_control("Pen", ["Add ink", "Rub out"], default="Add ink",
                                    key="probe.pen") or "Add ink"
    width = width_col.slider("Pen width (canvas pixels; 10 is one input pixel)", 5, 30, 10,
                             key="probe.pen_width")
    background = Image.fromarray(plots.upscale(plots.gray_to_rgb(image), CANVAS))
    canvas_col, result_col = st.columns(2)
    with canvas_col:
        drawing = st_canvas(
            stroke_width=width, stroke_color="#FFFFFF" if pen == "Add ink" else "#000000",
            background_image=background, background_color="#00000000",
            height=CANVAS, width=CANVAS, drawing_mode="freedraw", update_streamlit=True,
            return_image_data=True, key=f"probe.by_hand.{abs(hash(image.tobytes()))}")
    edited = edit(image, drawing.image_data)
    probabilities = classifier.probabilities(edited[None])[0]
    changed = int((np.abs(edited - image) > CHANGED).sum())
    with result_col:
        st.image(plots.upscale(plots.gray_to_rgb(edited), SIZE), width=SIZE)
        flipped = probabilities.argmax() != classifier.probabilities(image[None])[0].argmax()
        st.markdown(f"It {reading(probabilities, classes)} after **{changed}** changed "
                    f"pixel{'s' if changed != 1 else ''}" + (" · fooled ✓" if flipped else ""))


def edit(image: np.ndarray, strokes: np.ndarray | None) -> np.ndarray:
    """The input with the canvas's strokes painted over it, averaged down to 28 x 28."""
    if strokes is None:
        return image
    rgba = np.asarray(strokes, np.float32) / 255.0
    alpha = rgba[:, :, 3]
    ink = rgba[:, :, :3].mean(axis=2)
    size = image.shape[0]
    factor = rgba.shape[0] // size
    big = np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)
    painted = big * (1 - alpha) + ink * alpha
    return painted.reshape(size, factor, size, factor).mean(axis=(1, 3)).astype(np.float32)
