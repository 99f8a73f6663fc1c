"""The NumPy tabs: a trained Keras CNN re-run with plain NumPy ops, and a CNN trained from
scratch in NumPy with hand-written backpropagation."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from core.data import datasets
from core.figures import plots
from core.inference import inspect
from core.scratch import numpy_cnn, numpy_ops
from core.training import numpy_cnn_run
from core.training.jobs import JobManager, JobState
from ui import classroom, runtime


def render_forward(inspection: inspect.Inspection, model) -> None:
    st.markdown("The same trained weights, run through `core/scratch/numpy_ops.py`: "
                "convolution as a sum over every window (`sliding_window_view` + `einsum`), "
                "ReLU, max pooling, batch norm, dense layers. No TensorFlow in the loop.")
    started = time.perf_counter()
    ours = numpy_ops.forward(model, inspection.image[None, :, :, None], logits=True)[0]
    seconds = time.perf_counter() - started
    difference = np.abs(ours - inspection.logits)
    left, right = st.columns([1.4, 1], gap="large")
    left.dataframe([{"digit": digit, "Keras logit": float(inspection.logits[digit]),
                     "NumPy logit": float(ours[digit]), "|difference|": float(difference[digit])}
                    for digit in range(len(ours))], hide_index=True, width="stretch",
                   column_config={"|difference|": st.column_config.NumberColumn(format="%.1e")})
    with right:
        st.metric("Largest absolute difference", f"{difference.max():.1e}")
        same = int(np.argmax(ours)) == inspection.digit
        st.metric("NumPy's answer", f"{int(np.argmax(ours))}",
                  "same as Keras" if same else "differs from Keras",
                  delta_color="normal" if same else "inverse")
        st.caption(f"NumPy forward pass: {seconds * 1000:.0f} ms. The differences are float32 "
                   "rounding: the two sum the same products in a different order.")


def render_training(manager: JobManager, image: np.ndarray | None) -> None:
    config = numpy_cnn.NumpyCNNConfig()
    f1, f2 = config.filters
    st.markdown(
        f"The lab's bonus questions: a CNN written from scratch. Two convolutions ({f1} and "
        f"{f2} filters of 3x3), each followed by normalisation of every feature map, ReLU and "
        f"2x2 max pooling; a dense layer of {config.hidden} units; softmax. The gradients are "
        "written out by hand in `core/scratch/numpy_cnn.py` (no autodiff) and the optimizer "
        f"is Adam, also by hand. One cycle is {config.batches_per_cycle} batches of "
        f"{config.batch_size} digits; after each, accuracy on {config.eval_samples:,} test "
        "digits.")
    job = manager.find(numpy_cnn_run.JOB_KEY)
    active = job is not None and not job.state.finished
    train_col, check_col = st.columns(2)
    if classroom.button(f"Train for {config.cycles} cycles", train_col, key="inside.numpy_train",
                        icon=":material/play_arrow:", disabled=active, type="primary"):
        numpy_cnn_run.submit(manager, config)
        st.rerun()
    if check_col.button("Check the gradients", key="inside.gradient_check",
                        icon=":material/functions:"):
        errors = numpy_cnn_run.gradient_check()
        st.session_state["inside.gradient_errors"] = errors
    errors = st.session_state.get("inside.gradient_errors")
    if errors:
        worst = max(errors.values())
        check_col.markdown(f"Hand-written vs finite differences (float64): largest relative "
                           f"error **{worst:.1e}** {'✓' if worst < 1e-4 else '✗'}")
        check_col.caption(" · ".join(f"{name} {error:.0e}" for name, error in errors.items()))
    if active:
        st.fragment(live_training, run_every=2.0)(manager, job.id)
    else:
        if job is not None and job.state is JobState.FAILED:
            st.error(f"Training failed: {job.error}")
        finished = numpy_cnn_run.last_run()
        if finished is None:
            st.info("Not trained yet on this machine: press Train (about a minute and a half).")
            return
        network, run = finished
        show_run(run)
        if image is not None:
            probabilities = network.probabilities(image)[0]
            st.markdown(f"**Your digit through the NumPy CNN:** {int(np.argmax(probabilities))} "
                        f"({probabilities.max():.0%} sure)")
            st.plotly_chart(plots.probability_bars(probabilities, datasets.DIGITS, height=200),
                            config={"displayModeBar": False}, key="inside.numpy_bars")


def live_training(manager: JobManager, job_id: int) -> None:
    """Progress and the accuracy curve, refreshed every two seconds while the job runs
    (each redraw costs the browser CPU that a 2-core machine would rather train with)."""
    job = manager.get(job_id)
    if job is None:
        return
    if job.state.finished:
        st.rerun(scope="app")
    runtime.render_job(job, manager, "inside.numpy_job")
    events = [event for event in list(job.events) if "cycle" in event]
    if events:
        accuracy = [e["accuracy"] for e in events]
        st.plotly_chart(plots.curves([e["cycle"] for e in events], {"test accuracy": accuracy},
                                     "cycle", "test accuracy", accuracy_range(accuracy),
                                     goal=0.95),
                        config={"displayModeBar": False}, key="inside.numpy_live")


def accuracy_range(accuracy: list[float]) -> tuple[float, float]:
    """Zoom in on the part of the axis the curve uses, always showing the 95% line."""
    return max(0.0, min(0.9, min(accuracy) - 0.02)), 1.0


def show_run(run: numpy_cnn_run.TrainingRun) -> None:
    reached = run.seconds_to(0.95)
    summary = (f"Last run: **{run.test_accuracy:.2%}** on all 10,000 test digits after "
               f"{len(run.cycles)} cycles, {run.seconds[-1]:.0f} s of training")
    if reached is not None:
        summary += f"; 95% reached after {reached:.0f} s"
    st.markdown(summary)
    st.plotly_chart(plots.curves(run.cycles, {"test accuracy": run.accuracy}, "cycle",
                                 "test accuracy", accuracy_range(run.accuracy), goal=0.95),
                    config={"displayModeBar": False}, key="inside.numpy_curve")
