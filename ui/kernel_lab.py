"""The Your own kernel tab: a preset or a 3x3 grid of numbers, stride and padding, applied
live to the digit, with the output size worked out."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.figures import plots
from core.inference import inspect

CUSTOM = "Custom"
PRESET_KEY = "inside.preset"


def cell_key(row: int, col: int) -> str:
    return f"inside.k.{row}.{col}"


def load_preset() -> None:
    """Copy the chosen preset into the nine number boxes (runs before the page redraws)."""
    preset = inspect.KERNEL_PRESETS.get(st.session_state[PRESET_KEY])
    if preset is not None:
        for row in range(3):
            for col in range(3):
                st.session_state[cell_key(row, col)] = float(preset[row][col])


def mark_custom() -> None:
    st.session_state[PRESET_KEY] = CUSTOM


def render(image: np.ndarray) -> None:
    names = [*inspect.KERNEL_PRESETS, CUSTOM]
    if PRESET_KEY not in st.session_state:
        st.session_state[PRESET_KEY] = names[0]
        load_preset()
    controls_col, input_col, output_col = st.columns([1.2, 1, 1], gap="large")
    with controls_col:
        st.selectbox("Kernel", names, key=PRESET_KEY, on_change=load_preset)
        kernel = np.zeros((3, 3), np.float32)
        for row in range(3):
            for col, column in enumerate(st.columns(3)):
                kernel[row, col] = column.number_input(
                    f"k[{row},{col}]", key=cell_key(row, col), step=0.25, format="%.3g",
                    label_visibility="collapsed", on_change=mark_custom)
        stride = st.segmented_control("Stride", [1, 2, 3], default=1, key="inside.stride") or 1
        padding = st.segmented_control("Padding", ["valid", "same"], default="valid",
                                       key="inside.padding") or "valid"
    output = inspect.apply_kernel(image, kernel, stride, padding)
    input_col.image(plots.upscale(plots.gray_to_rgb(image), 252), width=252,
                    caption="Input 28 × 28")
    output_col.image(plots.upscale(plots.colour_image(output), 252), width=252,
                     caption=f"Output {output.shape[0]} × {output.shape[1]} (orange positive, "
                             "blue negative)")
    rows = inspect.output_formula(image.shape[0], 3, stride, padding)
    st.markdown(f"**Output size** = ⌊(n + p − k) / s⌋ + 1 with n = {image.shape[0]} pixels, "
                f"p = padding added, k = 3, s = {stride}: {rows} (the same for the width). "
                f"Values from {output.min():.2f} to {output.max():.2f}.")
