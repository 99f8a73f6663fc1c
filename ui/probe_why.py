"""Probe, Ask it why: SmoothGrad, Grad-CAM and occlusion side by side for the chosen class,
and the training digits it finds most alike."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.figures import plots
from core.inference import explain, predict
from core.training.jobs import JobManager
from ui import runtime

SIZE = 168


def render(manager: JobManager, classifier: predict.Classifier, image: np.ndarray,
           classes: tuple[str, ...]) -> None:
    prediction = classifier.predict(image)
    chosen_name = st.selectbox(
        "Explain the probability of", classes, index=prediction.digit, key="probe.why_class",
        help="What it reads is chosen to start with; pick another class to see what speaks "
             "for (and against) that one.")
    chosen = classes.index(chosen_name)
    explainer = explain.explainer(classifier)
    cam = explainer.grad_cam(image, chosen)
    occlusion = explainer.occlusion(image, chosen)
    smooth_col, cam_col, occlusion_col = st.columns(3)
    smooth_col.image(plots.upscale(plots.saliency_overlay(image, prediction.saliency), SIZE),
                     width=SIZE)
    smooth_col.markdown("**SmoothGrad**: the pixels whose change moves its reading most "
                        "(gradient, averaged over noisy copies)")
    if cam is None:
        cam_col.info("Grad-CAM needs convolution layers; an MLP has none.")
    else:
        cam_col.image(plots.upscale(plots.saliency_overlay(image, cam), SIZE), width=SIZE)
        cam_col.markdown(f"**Grad-CAM** on `{explainer.cam_layer}`: where the last "
                         "convolution stage found evidence for this class")
    occlusion_col.image(plots.upscale(plots.colour_image(occlusion), SIZE), width=SIZE)
    occlusion_col.markdown(
        f"**Occlusion**: a grey {explain.OCCLUSION_PATCH}×{explain.OCCLUSION_PATCH} patch slid "
        f"in steps of {explain.OCCLUSION_STRIDE}; orange where covering it drops "
        f"P({chosen_name}), blue where it raises it (largest drop "
        f"{max(float(occlusion.max()), 0.0):.0%})")

    st.markdown("##### The training digits it finds most alike")
    card = classifier.card
    ready = runtime.in_background(
        manager, f"probe.features.{card.dataset}.{card.file}",
        f"Reading the 60,000 training digits with {card.name}",
        lambda job: explain.feature_index(classifier, runtime.progress_of(
            job, "reading the training digits")),
        explain.index_is_cached(classifier))
    if not ready:
        st.caption("Once, per network: its features of every training digit, kept on disk.")
        return
    neighbours = explain.feature_index(classifier).nearest(explainer.features(image[None])[0])
    columns = st.columns(explain.NEIGHBOURS)
    for column, picture, label, similarity in zip(columns, neighbours.images, neighbours.labels,
                                                  neighbours.similarity, strict=True):
        column.image(plots.upscale(plots.gray_to_rgb(picture), 112), width=112)
        column.caption(f"a **{classes[int(label)]}** · similarity {similarity:.2f}")
    st.caption(f"Nearest by cosine similarity of `{explain.penultimate(classifier.model)}`, the "
               "features its last layer reads: "
               f"it says {classes[prediction.digit]} because these look like it, to it.")
