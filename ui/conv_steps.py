"""The Step by step tab: one number of the first convolution's feature map and one of the
first max pooling, worked out by hand and checked against what Keras computed."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.figures import plots
from core.inference import inspect
from core.scratch import numpy_ops

SMALL = dict(config={"displayModeBar": False})


def render(inspection: inspect.Inspection, model) -> None:
    render_convolution(inspection, model)
    st.divider()
    render_pooling(inspection, model)


def position_sliders(prefix: str, rows: int, cols: int, start: tuple[int, int]) -> tuple[int, int]:
    row_col, col_col = st.columns(2)
    i = row_col.slider("Row i", 0, rows - 1, min(start[0], rows - 1), key=f"{prefix}.i")
    j = col_col.slider("Column j", 0, cols - 1, min(start[1], cols - 1), key=f"{prefix}.j")
    return i, j


def brightest(feature_map: np.ndarray) -> tuple[int, int]:
    """Where a map is largest: a position worth looking at first."""
    index = np.unravel_index(int(np.argmax(feature_map)), feature_map.shape)
    return int(index[0]), int(index[1])


def render_convolution(inspection: inspect.Inspection, model) -> None:
    layer = inspection.layers[0]
    conv = inspect.first_conv(model, layer.stage)
    size = conv.kernels.shape[0]
    st.markdown(f"#### Convolution: one value of **{layer.stage.title}**")
    filters = conv.kernels.shape[3]
    f = st.slider("Filter", 0, filters - 1, 0, key="inside.filter")
    output = layer.maps[:, :, f]
    i, j = position_sliders("inside.conv", *output.shape, brightest(output))
    step = inspect.conv_step(inspection.image, conv, i, j, f)
    animate = st.toggle("Animate the window sliding over the image", key="inside.conv_animate",
                        help="Press ▶ Play under the picture")
    offset = numpy_ops.pad_amounts(inspection.image.shape[0], size, conv.stride, conv.padding)[0]
    figure_col, numbers_col = st.columns([1.3, 1], gap="large")
    figure_col.plotly_chart(plots.sliding_window(inspection.image, output, size, conv.stride,
                                                 offset, (i, j), animate),
                            key="inside.conv_window", **SMALL)
    with numbers_col:
        st.plotly_chart(plots.value_grids([("input patch", step.patch, False),
                                           (f"kernel {f}", step.kernel, True),
                                           ("patch × kernel", step.products, True)]),
                        key="inside.arithmetic", **SMALL)
        lines = [f"Sum of the {step.products.size} products: **{step.total:+.4f}**",
                 f"Bias of filter {f}: **{step.bias:+.4f}**" if conv.bias is not None
                 else "No bias (the batch norm's shift does that job)"]
        lines += [f"{label}: **{value:+.4f}**" for label, value in step.steps]
        keras_value = float(output[i, j])
        difference = abs(step.value - keras_value)
        lines.append(f"Keras' feature map at ({i}, {j}): **{keras_value:+.4f}** "
                     f"{'✓ the same' if difference < 1e-4 else '✗ differs'} "
                     f"(difference {difference:.1e})")
        st.markdown("  \n".join(lines))
        if conv.padding == "same":
            st.caption("Padding 'same': the image is framed with zeros so the output keeps "
                       "its size; a window at the edge reads some of those zeros.")


def render_pooling(inspection: inspect.Inspection, model) -> None:
    pools = [k for k, layer in enumerate(inspection.layers) if layer.stage.kind == "pool"]
    if not pools or pools[0] == 0:
        return
    index = pools[0]
    pool_layer, before = inspection.layers[index], inspection.layers[index - 1]
    keras_pool = model.get_layer(pool_layer.stage.name)
    pool, stride = keras_pool.pool_size[0], keras_pool.strides[0]
    st.markdown(f"#### Max pooling: one value of **{pool_layer.stage.name}** "
                f"({pool}x{pool} windows, stride {stride})")
    channels = before.maps.shape[2]
    c = st.slider("Feature map", 0, channels - 1, 0, key="inside.pool_map")
    output = pool_layer.maps[:, :, c]
    i, j = position_sliders("inside.pool", *output.shape, brightest(output))
    step = inspect.pool_step(before.maps[:, :, c], i, j, pool, stride)
    animate = st.toggle("Animate the pooling window", key="inside.pool_animate")
    figure_col, numbers_col = st.columns([1.3, 1], gap="large")
    figure_col.plotly_chart(plots.sliding_window(before.maps[:, :, c], output, pool, stride, 0,
                                                 (i, j), animate),
                            key="inside.pool_window", **SMALL)
    with numbers_col:
        st.plotly_chart(plots.value_grids([(f"window of {before.stage.name}", step.window,
                                            False)], marked=step.winner),
                        key="inside.pool_values", **SMALL)
        keras_value = float(output[i, j])
        st.markdown(f"Largest of the {step.window.size} values: **{step.value:.4f}** (the "
                    f"framed one)  \nKeras' {pool_layer.stage.name} at ({i}, {j}): "
                    f"**{keras_value:.4f}** "
                    f"{'✓ the same' if step.value == keras_value else '✗ differs'}")
        st.caption("Pooling keeps the strongest response of each window and halves the map: "
                   "the next layer sees a coarser picture that tolerates small shifts.")
