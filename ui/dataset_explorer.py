"""The lab's Data section: what the images of each class look like, and how many there are."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.data import datasets, image_grid
from core.figures import lab_plots


def section(dataset: str) -> None:
    try:
        loaded = datasets.load(dataset)
    except datasets.DatasetUnavailable as error:
        st.error(str(error))
        return
    names = loaded.info.class_names
    per_class = st.slider("Images per class", 4, 16, 10, key="lab.data.per_class")
    if st.button("Other images", key="lab.data.shuffle", icon=":material/casino:"):
        st.session_state["lab.data.seed"] = st.session_state.get("lab.data.seed", 0) + 1
    rng = np.random.default_rng(st.session_state.get("lab.data.seed", 0))
    grid_col, count_col = st.columns([3, 2])
    with grid_col:
        st.markdown(f"**{loaded.info.title}: random training images, one row per class**")
        for label, name in enumerate(names):
            picked = rng.choice(np.flatnonzero(loaded.y_train == label), per_class, replace=False)
            text_col, row_col = st.columns([1, 6], vertical_alignment="center")
            text_col.markdown(f"**{name}**")
            row_col.image(image_grid.tile(loaded.x_train[picked], per_class, scale=2),
                          width="stretch")
    with count_col:
        classes = len(names)
        train = np.bincount(loaded.y_train.ravel(), minlength=classes)
        test = np.bincount(loaded.y_test.ravel(), minlength=classes)
        st.markdown("**Images per class** (the report's figure 8.2)")
        st.plotly_chart(lab_plots.class_counts(train, test, names), key="lab.data.counts",
                        config={"displayModeBar": False})
        st.caption(f"{len(loaded.y_train):,} training and {len(loaded.y_test):,} test images "
                   f"of {loaded.x_train.shape[1]}x{loaded.x_train.shape[2]} pixels. Most "
                   f"common in training: {names[int(train.argmax())]} ({train.max():,}); "
                   f"rarest: {names[int(train.argmin())]} ({train.min():,}).")
