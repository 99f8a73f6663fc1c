"""GAN studio: watch a GAN (or the VAE) learn to write digits, live, and steer it."""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from core import store
from core.data import datasets, image_grid
from core.inference import denoise, sample_quality
from core.models import generative
from core.training import gan_run, studio
from core.training.jobs import Job
from ui import classroom, gan_live, runtime

DATASETS = ("mnist", "fashion_mnist")

st.title("GAN studio")
st.markdown(
    "Random noise in, digits out. The **generator** learns to draw; the **discriminator** "
    "learns to tell its drawings from real ones. Press Start and watch the grid: the same 64 "
    "noise vectors, redrawn as the generator learns. Pause to step one network at a time."
)
manager = runtime.job_manager()
dataset_col, model_col, time_col = st.columns(3)
dataset = dataset_col.selectbox("Dataset", DATASETS, key="gan.dataset",
                                format_func=lambda name: datasets.info(name).title)
name = model_col.selectbox("Model", list(generative.SPECS), key="gan.model",
                           format_func=lambda n: generative.SPECS[n].title)
spec = generative.spec(name)
minutes = time_col.slider("Training time (minutes)", 1, 30, int(spec.minutes),
                          key=f"gan.minutes.{name}")
st.caption(f"{spec.title}: {spec.source}. Batch {spec.batch_size}, latent dimension "
           f"{spec.latent_dim}.")

job = studio.latest_job(manager, name, dataset)
running = job is not None and not job.state.finished
if not datasets.is_cached(dataset):
    st.warning(f"The {dataset} dataset is not on this machine yet: run "
               f"`python -m core data fetch {dataset}` (training fetches it, if it can).")
if sample_quality.judge_card(dataset) is None:
    st.info(f"No classifier is trained on {dataset} yet, so the samples cannot be judged "
            "(confidence, Inception Score, Fréchet distance). Training still works.")


def start(resume: bool = False) -> None:
    studio.submit(manager, name, dataset, minutes, resume=resume)
    st.session_state["gan.asking"] = False
    st.rerun()


def ask_fresh_or_continue() -> None:
    """Start training over a saved run: say what starting fresh keeps, and let the lecturer
    choose."""
    stored = store.read_card(name, dataset)
    kept = f" (in use: {denoise.headline(stored)})" if stored is not None else ""
    st.warning(f"A saved run of {spec.title} on this dataset exists. Continue it, or start "
               f"fresh? Starting fresh keeps every generator saved so far in the store as a "
               f"version{kept}, and the better one stays in use; the saved run's training "
               "state is replaced when the new run saves.")
    fresh_col, continue_col, cancel_col = st.columns(3)
    if classroom.button("Start fresh", fresh_col, key="gan.fresh", type="primary"):
        start()
    if classroom.button("Continue it", continue_col, key="gan.continue"):
        start(resume=True)
    if cancel_col.button("Cancel", key="gan.cancel"):
        st.session_state["gan.asking"] = False
        st.rerun()


if not running:
    start_col, resume_col, _ = st.columns([1, 1, 2])
    saved = studio.saved_run_exists(name, dataset)
    if classroom.button("Start training", start_col, type="primary", key="gan.start",
                        icon=":material/play_arrow:"):
        if not saved:
            start()
        st.session_state["gan.asking"] = True
    if classroom.button("Continue the saved run", resume_col, key="gan.resume",
                        disabled=not saved, icon=":material/history:",
                        help=None if saved else "No saved run of this model yet."):
        start(resume=True)
    if saved and st.session_state.get("gan.asking"):
        ask_fresh_or_continue()


def time_travel_tab(job: Job) -> None:
    """Time travel over the snapshots taken so far (refreshed on demand while it trains, so
    the slider stays where it is put)."""
    if not job.state.finished:
        st.button("Take in the newest snapshots", key="gan.refresh", icon=":material/refresh:")
    if job.live is None:
        st.caption("The run is starting.")
        return
    time_travel(job.live)


def evolution_gif(run: gan_run.Run, snapshots: list[tuple[int, float, np.ndarray]]) -> bytes:
    return image_grid.gif_bytes([gan_live.grid_picture(run, grid) for _, _, grid in snapshots])


def time_travel(run: gan_run.Run) -> None:
    """One slider scrubs the grid through training; exports of the evolution and the model."""
    snapshots = list(run.snapshots)
    if len(snapshots) < 2:
        st.caption("Snapshots of the grid are taken every "
                   f"{gan_run.SNAPSHOT_EVERY_S:.0f} s of training; come back in a moment.")
        return
    index = st.select_slider(
        "Scrub through training", options=range(len(snapshots)), value=len(snapshots) - 1,
        key="gan.time", format_func=lambda i: f"step {snapshots[i][0]:,} · "
                                              f"{runtime.format_seconds(snapshots[i][1])}")
    step, _, grid = snapshots[index]
    picture = gan_live.grid_picture(run, grid)
    st.image(picture, width=560, output_format="PNG")
    gif = functools.partial(evolution_gif, run, snapshots)  # built only when downloaded
    cols = st.columns(3)
    cols[0].download_button("Evolution as GIF", gif, f"{run.name}-{run.dataset}.gif",
                            mime="image/gif", key="gan.gif", icon=":material/animation:")
    cols[1].download_button("This grid as PNG", image_grid.png_bytes(picture),
                            f"{run.name}-{run.dataset}-step{step}.png", mime="image/png",
                            key="gan.png", icon=":material/image:")
    card = store.read_card(run.name, run.dataset)
    if card is not None:
        model_file = store.card_path(run.name, run.dataset).parent / card.file
        cols[2].download_button(
            "Generator (.keras)", model_file.read_bytes, f"{run.name}-{run.dataset}.keras",
            key="gan.keras", icon=":material/download:",
            help=f"The generator as saved in the store ({card.metrics.get('generator_steps', 0):,} "
                 "steps).")
    else:
        cols[2].caption("The generator can be downloaded once it is saved (Save now, or at the "
                        "end of the run).")


if job is None:
    st.info("Nothing has trained here since the server started. Press **Start training**; "
            "training goes on if you open another page, and this page shows it when you "
            "come back.")
else:
    live_tab, travel_tab = st.tabs(["Live", "Time travel and export"])
    with live_tab:
        gan_live.live_panel(manager, job, "gan.live")
    with travel_tab:
        st.fragment(time_travel_tab)(job)
