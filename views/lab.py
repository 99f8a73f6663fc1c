"""Training lab: train, race and compare networks live, see what they get wrong, and the
fundamentals the lectures start from."""

from __future__ import annotations

import streamlit as st

from core import store
from core.training import teach
from ui import (
    dataset_explorer,
    fundamentals_view,
    lab_compare,
    lab_robustness,
    lab_train,
    lab_understand,
    lstm_lab,
    runtime,
)

SECTIONS = ("Train", "Compare runs", "Understand & export", "Robustness", "Data",
            "Fundamentals", "Sequences (LSTM)")

st.title("Training lab")
st.markdown("Pick a dataset, a network and an optimizer, press **Train** and talk over the live "
            "curves. Change the learning rate while it trains; race optimizers from the same "
            "initial weights; then see what the model gets wrong and take it home.")
manager = runtime.job_manager()
lab_train.keep_form()
section = st.segmented_control("Section", SECTIONS, default=SECTIONS[0], key="lab.section",
                               label_visibility="collapsed") or SECTIONS[0]

if section == "Train":
    config = lab_train.form()
    lab_train.start(manager, config)
    lab_train.live(manager)
elif section == "Compare runs":
    lab_compare.section(manager)
elif section in ("Understand & export", "Data"):
    taught = (teach.DATASET,) if section != "Data" and store.cards(teach.DATASET) else ()
    dataset = st.selectbox("Dataset", (*lab_train.DATASETS, *taught), key="lab.view_dataset",
                           format_func=lab_understand.title)
    if section == "Data":
        dataset_explorer.section(dataset)
    else:
        lab_understand.section(dataset)
elif section == "Robustness":
    lab_robustness.section()
elif section == "Fundamentals":
    fundamentals_view.section()
else:
    lstm_lab.section(manager)
