"""Neural Canvas: the entry point builds the navigation and the sidebar's live status."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import streamlit as st  # noqa: E402

from ui import classroom, runtime  # noqa: E402

runtime.keep_keras_state()
st.set_page_config(page_title="Neural Canvas", page_icon=":material/draw:", layout="wide")

PAGES = [
    st.Page("views/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("views/draw.py", title="Draw a digit", icon=":material/draw:", url_path="draw"),
    st.Page("views/inside.py", title="Inside the CNN", icon=":material/layers:",
            url_path="inside"),
    st.Page("views/denoise.py", title="Denoising lab", icon=":material/blur_on:",
            url_path="denoise"),
    st.Page("views/gan.py", title="GAN studio", icon=":material/auto_awesome:", url_path="gan"),
    st.Page("views/latent.py", title="Latent explorer", icon=":material/scatter_plot:",
            url_path="latent"),
    st.Page("views/probe.py", title="Probe the network", icon=":material/troubleshoot:",
            url_path="probe"),
    st.Page("views/teach.py", title="Teach it new symbols", icon=":material/draw_abstract:",
            url_path="teach"),
    st.Page("views/lab.py", title="Training lab", icon=":material/model_training:",
            url_path="lab"),
    st.Page("views/classroom.py", title="Classroom", icon=":material/school:",
            url_path="classroom"),
]

manager = runtime.job_manager()
with st.sidebar:
    st.markdown("### Neural Canvas")
    st.caption("Real Keras models, trained on this machine.")
    running = runtime.training_jobs(manager)
    if running:
        st.caption(f"{len(running)} training job(s) in the background")
    classroom.sidebar()

runtime.run_page(st.navigation(PAGES))
