"""The sweep tab: accuracy, PSNR and SSIM against noise level, run as a job, cached as CSV."""

from __future__ import annotations

import math

import streamlit as st

from core.figures import plots
from core.training import noise_sweep
from core.training.jobs import JobManager, JobState
from ui import classroom, runtime

# The report's accuracies on denoised digits (section 8.7), Gaussian noise on MNIST.
REPORT_POINTS = {0.2: 0.9911, 0.6: 0.9799, 1.0: 0.9482}
SAMPLES = (1_000, 10_000)  # a quick look, or the whole test set


def render_charts(rows: list[dict], sweep: noise_sweep.Sweep) -> None:
    levels = [row["level"] for row in rows]
    accuracy = {
        f"{sweep.classifier} on noisy": [row["accuracy_noisy"] for row in rows],
        f"{sweep.classifier} on denoised ({sweep.denoiser})":
            [row["accuracy_denoised"] for row in rows],
    }
    if not all(math.isnan(row["accuracy_noise_trained"]) for row in rows):
        accuracy[f"{noise_sweep.NOISE_TRAINED} (trained on noisy) on noisy"] = [
            row["accuracy_noise_trained"] for row in rows]
    accuracy_col, psnr_col, ssim_col = st.columns([1.4, 1, 1])
    with accuracy_col:
        st.markdown("**Test accuracy**")
        figure = plots.curves(levels, accuracy, "noise level", "accuracy", y_range=(0, 1.02),
                              height=380)
        if sweep.dataset == "mnist" and sweep.noise == "gaussian":
            figure.add_scatter(x=list(REPORT_POINTS), y=list(REPORT_POINTS.values()),
                               mode="markers", name="the report (denoised)",
                               marker=dict(size=12, symbol="x", color=plots.TEXT))
        figure.update_yaxes(tickformat=".0%")
        st.plotly_chart(figure, config={"displayModeBar": False}, key="sweep.accuracy")
    # Level 0 leaves the image untouched (PSNR capped at 100 dB): keep the axis on the rest.
    for column, key, title, y_range in ((psnr_col, "psnr", "PSNR (dB)", (0, 40)),
                                        (ssim_col, "ssim", "SSIM", (0, 1.02))):
        with column:
            st.markdown(f"**{title}**")
            series = {"noisy": [row[f"{key}_noisy"] for row in rows],
                      "denoised": [row[f"{key}_denoised"] for row in rows]}
            st.plotly_chart(plots.curves(levels, series, "noise level", title, y_range=y_range,
                                         height=380),
                            config={"displayModeBar": False}, key=f"sweep.{key}")


def render_running(manager: JobManager, sweep: noise_sweep.Sweep) -> None:
    """A running sweep: its progress and the levels measured so far, refreshed every second."""
    job = runtime.follow_job(manager, noise_sweep.job_key(sweep), "sweep.job")
    if job is not None and job.latest.get("rows"):
        render_charts(job.latest["rows"], sweep)


def render(manager: JobManager, dataset: str, kind: str, classifier: str, denoiser: str) -> None:
    samples = st.segmented_control(
        "Test images", SAMPLES, default=SAMPLES[-1], key="sweep.samples",
        format_func=lambda n: f"{n:,}") or SAMPLES[-1]
    sweep = noise_sweep.Sweep(dataset, kind, classifier, denoiser, samples=samples)
    st.caption(f"The first {sweep.samples:,} test images at every noise level from 0 to 1 in "
               "steps of 0.1 (the same noise for every model), read by the clean-trained "
               "classifier before and after denoising and by a classifier trained on noisy "
               "images.")
    rows = noise_sweep.cached(sweep)
    if rows is not None:
        render_charts(rows, sweep)
        st.download_button("Download as CSV", noise_sweep.to_csv(rows),
                           file_name=sweep.path().name, mime="text/csv",
                           icon=":material/download:", key="sweep.csv")
    else:
        job = manager.find(noise_sweep.job_key(sweep))
        if job is not None and not job.state.finished:
            st.fragment(render_running, run_every=1.0)(manager, sweep)
        else:
            if job is not None and job.state is JobState.FAILED:
                st.error(f"{job.title} failed: {job.error}")
            if classroom.button("Run the sweep", key="sweep.run", icon=":material/play_arrow:",
                                type="primary"):
                noise_sweep.submit(manager, sweep)
                st.rerun()
            st.caption(f"About {sweep.samples // 100 + 10} s on a 2-core CPU; it keeps running "
                       "if you leave the page.")
    if rows is None or all(math.isnan(row["accuracy_noise_trained"]) for row in rows):
        runtime.offer_training(
            manager, noise_sweep.NOISE_TRAINED, sweep.dataset,
            f"`{noise_sweep.NOISE_TRAINED}`, the classifier trained on noisy images, is not "
            "trained yet, so its curve is missing (about 5 minutes).", "sweep")
