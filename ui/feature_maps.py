"""The Feature maps tab: every stage's maps as a grid, statistics, first-layer kernels, and
one map large with its numbers."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.figures import plots
from core.inference import inspect


def render(inspection: inspect.Inspection, model) -> None:
    st.markdown("Each tile is one feature map: the output of one filter. Bright means a "
                "strong response; black means zero (ReLU cut it off). Tiles of a layer share "
                "one brightness scale.")
    render_large_map(inspection)
    stats_col, kernels_col = st.columns([1.3, 1], gap="large")
    with stats_col:
        st.markdown("**Activation statistics**")
        st.dataframe([{"layer": layer.stage.title, "output shape": layer.shape_text,
                       "mean": round(layer.mean, 4), "max": round(float(layer.maps.max()), 3),
                       "zeros": f"{layer.zero_fraction:.0%}"} for layer in inspection.layers],
                     hide_index=True, width="stretch")
    with kernels_col:
        first = inspection.layers[0].stage
        kernels = inspect.first_conv(model, first).kernels[:, :, 0, :]
        st.markdown(f"**Learned kernels of {first.name}** ({kernels.shape[0]}x{kernels.shape[1]}"
                    f", {kernels.shape[2]} filters)")
        st.image(plots.feature_grid(kernels, tile=36, gap=6, columns=8),
                 caption="Orange: positive weights, blue: negative, black: zero", width=300)
    layers = inspection.layers
    for first in range(0, len(layers), 2):  # two layers a row, in order
        for column, layer in zip(st.columns(2, gap="large"), layers[first : first + 2],
                                 strict=False):
            column.markdown(f"##### {layer.stage.title} · {layer.shape_text}")
            column.image(plots.feature_grid(layer.maps, tile=84), width="stretch")


def render_large_map(inspection: inspect.Inspection) -> None:
    """Pick one map and see it large beside the input, with every value on hover."""
    names = [layer.stage.name for layer in inspection.layers]
    pick_col, input_col, map_col = st.columns([1, 1.2, 1.2])
    with pick_col:
        name = st.selectbox("Look closer at layer", names, key="inside.map_layer",
                            format_func=lambda n: inspection.layers[names.index(n)].stage.title)
        layer = inspection.layers[names.index(name)]
        count = layer.maps.shape[2]
        strongest = int(np.argmax(layer.maps.mean(axis=(0, 1))))
        index = st.slider("Feature map", 0, count - 1, strongest, key=f"inside.map.{name}",
                          help="Starts at the map that responds most to this digit")
        chosen = layer.maps[:, :, index]
        st.caption(f"Map {index} of {count}: mean {chosen.mean():.3f}, max {chosen.max():.3f}, "
                   f"{(chosen <= 0).mean():.0%} zeros")
    input_col.plotly_chart(plots.value_heatmap(inspection.image, "input"),
                           config={"displayModeBar": False}, key="inside.map_input")
    map_col.plotly_chart(plots.value_heatmap(chosen, f"{name}, map {index}"),
                         config={"displayModeBar": False}, key="inside.map_large")
