"""The GAN studio's live panel: the sample grid, the steering controls and the curves of a
run, redrawn by a polling fragment while its job trains."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import store
from core.data import image_grid
from core.inference import denoise
from core.training import gan_run
from core.training.jobs import Job, JobManager, JobState
from ui import charts, classroom, runtime

LEARNING_RATES = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3)
CHARTS_EVERY_S = 6.0
CHART_POINTS = 300
DELAYS = {"off": 0.0, "slow (0.1 s a step)": 0.1, "slower (0.5 s)": 0.5, "one step a second": 1.0}


def grid_picture(run: gan_run.Run, grid: np.ndarray) -> np.ndarray:
    """Return a snapshot grid (n, 28, 28) uint8 as one enlarged picture."""
    return image_grid.tile(grid, run.grid_columns, scale=3)


def steering(run: gan_run.Run, key: str) -> None:
    """Controls that change the run while it trains (read by the worker between steps)."""
    c = run.controls
    gan = run.spec.kind != "vae"
    left, right = st.columns(2)
    with left:
        c.lr_generator = st.select_slider(
            "Generator learning rate" if gan else "Learning rate", LEARNING_RATES,
            value=_nearest(c.lr_generator), key=f"{key}.lr_g", format_func=lambda v: f"{v:g}")
        c.delay_s = DELAYS[st.radio("Slow motion", list(DELAYS), horizontal=True,
                                    index=list(DELAYS.values()).index(c.delay_s)
                                    if c.delay_s in DELAYS.values() else 0,
                                    key=f"{key}.delay")]
    if not gan:
        return
    with right:
        c.lr_discriminator = st.select_slider(
            "Discriminator learning rate", LEARNING_RATES, value=_nearest(c.lr_discriminator),
            key=f"{key}.lr_d", format_func=lambda v: f"{v:g}")
        c.d_steps = st.slider("Discriminator steps per generator step", 1, 5, c.d_steps,
                              key=f"{key}.k")
        c.label_smoothing = st.slider(
            "Label smoothing (real images labelled 1 − this)", 0.0, 0.3, c.label_smoothing,
            step=0.05, key=f"{key}.smooth")


def _nearest(value: float) -> float:
    return min(LEARNING_RATES, key=lambda rate: abs(np.log(rate) - np.log(value)))


def single_steps(run: gan_run.Run, key: str) -> None:
    """While paused: step one network at a time and watch who is winning."""
    st.caption("Paused. Step by hand, then look at D(x) and D(G(z)):")
    cols = st.columns(3)
    if run.spec.kind == "vae":
        if classroom.button("One step", cols[0], key=f"{key}.one", icon=":material/skip_next:"):
            run.request("both")
        return
    if classroom.button("One discriminator step", cols[0], key=f"{key}.d",
                        icon=":material/gavel:"):
        run.request("d")
    if classroom.button("One generator step", cols[1], key=f"{key}.g", icon=":material/brush:"):
        run.request("g")
    if classroom.button(f"{run.controls.d_steps} D step(s) + 1 G step", cols[2],
                        key=f"{key}.both", icon=":material/skip_next:"):
        run.request("both")


def live_panel(manager: JobManager, job: Job, key: str) -> None:
    """Everything about a run, in polling fragments while it trains: status and controls and
    the grid every two seconds, the (light, SVG) charts every few seconds; every redraw costs
    CPU that training would otherwise get."""
    polling = not job.state.finished

    def every(seconds: float) -> float | None:
        return seconds if polling else None

    st.fragment(status, run_every=every(gan_run.SNAPSHOT_EVERY_S))(manager, job, key, polling)
    grid_col, chart_col = st.columns([5, 6])
    with grid_col:  # a new grid is taken every SNAPSHOT_EVERY_S: no use looking more often
        st.fragment(sample_grid, run_every=every(gan_run.SNAPSHOT_EVERY_S))(job, key)
    with chart_col:
        st.fragment(history_charts, run_every=every(CHARTS_EVERY_S))(job)
    st.fragment(quality_charts, run_every=every(CHARTS_EVERY_S))(job)


def status(manager: JobManager, job: Job, key: str, polling: bool) -> None:
    """Progress and buttons, the steering controls, single steps while paused; reload the
    page when a job that was being followed ends (its buttons change)."""
    if polling and job.state.finished:
        st.rerun(scope="app")
    if job.state is JobState.FAILED:
        st.error(f"{job.title} failed: {job.error}")
    elif not job.state.finished:
        runtime.render_job(job, manager, key)
    elif job.live is not None:
        verdict(job.live, key)
    run: gan_run.Run | None = job.live
    if run is None or job.state.finished:
        return
    if classroom.is_instructor():
        with st.expander("Steer the training (changes take effect at the next step)"):
            steering(run, key)
    if job.state is JobState.PAUSED:
        single_steps(run, key)


def verdict(run: gan_run.Run, key: str) -> None:
    """Say what became of a finished run's generator: in use, or kept as a version because
    it measures worse than the one in use, which the instructor may swap it for."""
    new, in_use = run.stored, store.read_card(run.name, run.dataset)
    if new is None or in_use is None:
        st.info("The run ended before its generator was saved.")
    elif in_use.file == new.file:
        st.success(f"The new generator ({denoise.headline(new)}) is in use; the run is saved "
                   "and can be continued.")
    else:
        st.warning(f"The new run reached {denoise.headline(new)}, the stored generator "
                   f"{denoise.headline(in_use)}: the stored one stays in use. The new one is "
                   "kept as a version (Home lists them all).")
        if classroom.button("Use the new one instead", key=f"{key}.use_new",
                            icon=":material/swap_horiz:"):
            store.use(run.name, run.dataset, new.version)
            st.rerun()


def sample_grid(job: Job, key: str) -> None:
    """The fixed-noise grid as of the latest snapshot, and saving."""
    run: gan_run.Run | None = job.live
    if run is None:
        st.caption(job.message)
        return
    step, seconds, grid = run.snapshots[-1] if run.snapshots else (0, 0.0, run.grid())
    st.image(image_grid.png_bytes(grid_picture(run, grid), quick=True), width="stretch",
             caption=f"the same {len(grid)} noise vectors, step {step:,}, "
                     f"{runtime.format_seconds(seconds)} of training"
                     + (" (columns: digits 0-9)" if run.spec.kind == "conditional" else ""))
    if not job.state.finished and classroom.button("Save the run and the generator now",
                                                   key=f"{key}.save", icon=":material/save:"):
        run.ask_save()
    if run.saved_step is not None:
        st.caption(f"Saved at step {run.saved_step:,}.")
    if run.spec.kind == "conditional":
        ask_for_a_digit(run, key)


def ask_for_a_digit(run: gan_run.Run, key: str) -> None:
    """A conditional GAN draws the digit it is told to: ten fresh samples of one digit."""
    digit = st.segmented_control("Ask for a digit", list(range(10)), default=7,
                                 key=f"{key}.digit") or 0
    samples = run.generate(10, seed=digit, digits=np.full(10, digit, np.int32))
    st.image(image_grid.png_bytes(image_grid.tile(samples, 10, scale=2), quick=True),
             width="stretch")


def history_charts(job: Job) -> None:
    """Losses, and what the discriminator says about real and generated images."""
    run: gan_run.Run | None = job.live
    history = _thinned(list(run.history)) if run is not None else []
    if not history:
        st.caption("The curves appear after the first steps.")
        return
    steps = [h["step"] for h in history]
    live = not job.state.finished
    if run.spec.kind == "vae":
        charts.curves(steps, {"loss (reconstruction + KL)": _series(history, "loss"),
                              "KL": _series(history, "kl")},
                      "generator steps", "loss", live=live, key="gan.loss", height=300)
        return
    charts.curves(steps, {"D loss": _series(history, "d_loss"),
                          "G loss": _series(history, "g_loss")},
                  "generator steps", "loss", live=live, key="gan.loss")
    charts.curves(steps, {"D(x): real judged real": _series(history, "d_real"),
                          "D(G(z)): fakes judged real": _series(history, "d_fake")},
                  "generator steps", "mean output", live=live, key="gan.d", y_range=(0, 1))


def _series(history: list[dict], key: str) -> list[float | None]:
    return [h.get(key) for h in history]


def _thinned(history: list[dict]) -> list[dict]:
    """At most CHART_POINTS entries, evenly spread and always the newest: a long run's chart
    costs no more to draw than a short one's."""
    if len(history) <= CHART_POINTS:
        return history
    keep = np.linspace(0, len(history) - 1, CHART_POINTS).round().astype(int)
    return [history[i] for i in keep]


def quality_charts(job: Job) -> None:
    """The judge's verdict over time and the latest class histogram."""
    if job.live is None:
        return
    quality = list(job.live.quality)
    if not quality:
        st.caption("The judge (the store's best classifier) measures 1,000 samples every "
                   f"{gan_run.QUALITY_EVERY_S:.0f} s of training.")
        return
    last = quality[-1]
    cols = st.columns(4)
    cols[0].metric("confident (p ≥ 0.9)", f"{last['confident']:.1%}")
    cols[1].metric("Inception Score", f"{last['inception_score']:.2f}",
                   help="1 for noise, 10 for sharp digits of every class; real test digits ≈ 9.9")
    cols[2].metric("Fréchet distance", f"{last['frechet_distance']:.1f}",
                   help="between the judge's features of samples and of the test set; lower is "
                        "better, 0 for the test set itself")
    asked = last.get("asked_accuracy")
    cols[3].metric("drawn as asked" if asked is not None else "rarest digit",
                   f"{asked:.1%}" if asked is not None else f"{last['min_class_share']:.1%}")
    over_time, histogram = st.columns([3, 2])
    seconds = [q["seconds"] for q in quality]
    live = not job.state.finished
    with over_time:
        charts.curves(seconds, {"confident": [q["confident"] for q in quality],
                                "Inception Score / 10": [q["inception_score"] / 10
                                                         for q in quality]},
                      "seconds of training", "share", live=live, key="gan.quality",
                      y_range=(0, 1), height=280)
    with histogram:
        charts.class_shares(np.array(last["class_shares"]), live=live, key="gan.classes")
