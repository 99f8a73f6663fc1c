"""Teach it new symbols: the class draws examples, two networks learn them side by side
(transfer from the digit CNN against a CNN from scratch), then read new drawings."""

from __future__ import annotations

import streamlit as st

from core.training import teach
from ui import charts, runtime, teach_pool, teach_train

st.title("Teach it new symbols")
st.caption("Name a few new classes, draw some examples of each (the whole class can send "
           "theirs), and watch two networks learn them at once: one reusing what "
           f"{teach.symbol_nets.BASE} learnt from 60,000 digits, one starting from nothing.")

st.html(charts.ANSWER_STYLE)
manager = runtime.job_manager()
pool = teach_pool.current()

st.subheader("1. Examples")
teach_pool.classes_editor(pool)
canvas_col, gallery_col = st.columns([1, 1.7], gap="large")
with canvas_col:
    teach_pool.collect(pool)
with gallery_col:
    teach_pool.gallery(pool)
    teach_pool.manage(pool)

st.subheader("2. Train: transfer against from scratch")
teach_train.controls(manager, pool)
teach_train.follow(manager)
run = teach_train.results(manager)

st.subheader("3. Try it")
teach_train.use(run)
if run is not None and len(run.detectors) == len(run.models):
    st.subheader("4. Keep it")
    teach_train.keep(run)
