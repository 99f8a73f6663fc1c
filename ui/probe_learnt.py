"""Probe, What it has learnt: each filter's most exciting test patches and its synthesised
image, and the map of 2,000 test digits as any layer sees them, with the drawing on it."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.data import datasets
from core.figures import plots
from core.inference import filters, points_map, predict
from core.training.jobs import JobManager
from ui import runtime


def render(manager: JobManager, classifier: predict.Classifier, image: np.ndarray,
           classes: tuple[str, ...]) -> None:
    st.markdown("##### Each filter")
    if filters.conv_stages(classifier.model):
        filter_patches(manager, classifier)
    else:
        st.info("An MLP has no filters; the map below shows what its hidden layer knows.")
    st.markdown("##### The map of what it knows")
    points(manager, classifier, image, classes)


def filter_patches(manager: JobManager, classifier: predict.Classifier) -> None:
    card = classifier.card
    stages = filters.conv_stages(classifier.model)
    ready = runtime.in_background(
        manager, f"probe.patches.{card.dataset}.{card.file}",
        f"Finding each filter's strongest test patches ({card.name})",
        lambda job: filters.top_patches(classifier, runtime.progress_of(
            job, f"reading {filters.PATCH_SAMPLES} test digits")),
        filters.model_cache.path(card, "patches").exists())
    if not ready:
        return
    found = {stage.stage: stage for stage in filters.top_patches(classifier)}
    stage_col, filter_col = st.columns([1, 2])
    stage_name = stage_col.selectbox(
        "Convolution stage", [s.name for s in stages], key="probe.stage",
        help="Early stages see a few pixels (edges, stroke ends); later ones see whole "
             "strokes and loops.")
    patches = found[stage_name]
    count = patches.patches.shape[0]
    chosen = filter_col.slider("Filter", 0, count - 1, 0, key="probe.filter",
                               help="Pick a filter to see the test patches that excite it most.")
    size = patches.field.size
    st.caption(f"Receptive field {size} × {size} input pixels: what one number of "
               f"`{stage_name}`'s maps sees. Brightest response first.")
    st.image([plots.upscale(plots.gray_to_rgb(p), 84) for p in patches.patches[chosen]],
             width=84, caption=[f"{value:.2f}" for value in patches.activations[chosen]])
    synth_key = f"probe.synth.{card.dataset}.{card.file}.{stage_name}"
    if runtime.in_background(
            manager, synth_key, f"Synthesising what excites each filter of {stage_name}",
            lambda job: filters.synthesise(classifier, stage_name),
            filters.model_cache.path(card, f"synthesised.{stage_name}").exists()):
        synthesised = filters.synthesise(classifier, stage_name)
        left, right = st.columns([1, 3])
        left.image(plots.upscale(plots.gray_to_rgb(synthesised[chosen]), 168), width=168)
        left.caption(f"Filter {chosen}, synthesised: an input climbed to excite it")
        right.image(plots.feature_grid(np.moveaxis(synthesised, 0, -1), tile=56))
        right.caption(f"Every filter of {stage_name}, synthesised (row by row from 0)")


def points(manager: JobManager, classifier: predict.Classifier, image: np.ndarray,
           classes: tuple[str, ...]) -> None:
    layers = points_map.layers(classifier.model)
    layer_col, method_col = st.columns([2, 1])
    layer = layer_col.select_slider(
        "Layer", layers, value=layers[-2], key="probe.map_layer",
        help="Slide from the input to the output and watch the classes separate: the "
             "network's job is to make them easy to tell apart.")
    method = method_col.segmented_control(
        "Method", points_map.METHODS, default="PCA", key="probe.map_method",
        help="PCA: the two directions of largest spread, exact and instant. t-SNE and UMAP "
             "keep neighbours together; they take seconds the first time (UMAP up to a minute "
             "after the app starts: its code compiles) and are kept.") or "PCA"
    card = classifier.card
    ready = runtime.in_background(
        manager, f"probe.map.{card.dataset}.{card.file}.{layer}.{method}",
        f"{method} of {points_map.MAP_SAMPLES} test digits from {layer}",
        lambda job: points_map.points_map(classifier, layer, method),
        points_map.is_cached(classifier, layer, method))
    if not ready:
        return
    found = points_map.points_map(classifier, layer, method)
    drawing = found.place(points_map.activations(classifier).of(layer, image[None])[0])
    figure = plots.latent_map(found.points, found.labels, classes,
                              (float(drawing[0]), float(drawing[1])))
    figure.update_layout(xaxis_title=f"{method} 1", yaxis_title=f"{method} 2")
    event = st.plotly_chart(figure, on_select="rerun", selection_mode="points",
                            key=f"probe.map.{layer}.{method}", width="stretch")
    placed = ("projected like the digits" if method == "PCA"
              else f"placed among its {points_map.NEAREST} nearest digits")
    st.caption(f"✕ marks your drawing ({placed}). Click a point to see its digit.")
    clicked(event, found, card.dataset, classes)


def clicked(event, found: points_map.PointsMap, dataset: str,
            classes: tuple[str, ...]) -> None:
    selected = (event or {}).get("selection", {}).get("points", []) if event else []
    if not selected:
        return
    point = selected[0]
    x, y = point.get("x"), point.get("y")
    if x is None or y is None:
        return
    index = int(np.argmin(np.hypot(found.points[:, 0] - x, found.points[:, 1] - y)))
    picture = datasets.load(dataset).images("test")[index, :, :, 0]
    st.image(plots.upscale(plots.gray_to_rgb(picture), 112), width=112,
             caption=f"Test digit {index}: a {classes[int(found.labels[index])]}")
