"""The anomaly tab: the lecture's autoencoder on f(x) = 2x, its reconstruction losses, and a
threshold that turns them into a detector with a precision and a recall."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.figures import plots
from core.inference import anomaly
from core.training import line_autoencoder
from core.training.jobs import JobManager
from ui import runtime

STOPS = 81


def thresholds(losses: dict[str, np.ndarray]) -> list[float]:
    """The slider's stops: 81 steps on a log scale across every loss there is."""
    values = np.concatenate(list(losses.values()))
    low, high = np.log10(max(values.min(), 1e-9)), np.log10(max(values.max(), 1e-8))
    return [float(f"{value:.3g}") for value in np.logspace(low, high, STOPS)]


def render(manager: JobManager) -> None:
    st.caption("The lecture's simplest autoencoder (2-32-16-32-2) learns 10,000 points of "
               "f(x) = 2x + noise in [-0.1, 0.1]. Points it was not trained for come back "
               "worse: noisier ones (noise in [-0.3, 0.3]) and points of another line, "
               "f(x) = 1.5x. A threshold on the reconstruction loss flags them.")
    detector = runtime.warm_model(anomaly.MODEL, anomaly.DATASET, anomaly.Detector)
    if detector is None:
        runtime.offer_training(
            manager, anomaly.MODEL, anomaly.DATASET,
            "Not trained yet: the lecture's 200 epochs take about a minute on a 2-core CPU.",
            "anomaly", submit=lambda: line_autoencoder.submit(manager))
        return
    losses = detector.losses
    stops = thresholds(losses)
    # Start where 5% of normal points would be flagged: a typical alarm budget.
    default = stops[min(int(np.searchsorted(stops, np.quantile(losses["clean"], 0.95))),
                        STOPS - 1)]
    threshold = st.select_slider("Threshold on the reconstruction loss", stops,
                                 value=default, key="anomaly.threshold",
                                 format_func=lambda value: f"{value:.1e}")
    found = anomaly.detect(losses, threshold)
    cells = st.columns(5)
    cells[0].metric("Precision", f"{found.precision:.1%}" if found.precision == found.precision
                    else "nothing flagged")
    cells[1].metric("Recall", f"{found.recall:.1%}")
    cells[2].metric("Noisier points caught", f"{found.recall_by_kind['noisier']:.1%}")
    cells[3].metric("Wrong-line points caught", f"{found.recall_by_kind['wrong']:.1%}")
    cells[4].metric("Normal points flagged", f"{found.false_alarms:.1%}")
    names = {"clean": "normal: 2x ± 0.1", "noisier": "noisier: 2x ± 0.3",
             "wrong": "wrong: 1.5x ± 0.1"}
    hist_col, points_col = st.columns(2)
    with hist_col:
        st.plotly_chart(plots.log_histograms({names[k]: v for k, v in losses.items()},
                                             threshold), config={"displayModeBar": False},
                        key="anomaly.hist")
    with points_col:
        groups = {names[k]: (getattr(detector.sets, k)[:500], losses[k][:500] > threshold)
                  for k in losses}
        st.plotly_chart(plots.flagged_points(groups), config={"displayModeBar": False},
                        key="anomaly.points")
    means = detector.card.metrics.get("mean_loss", {})
    st.caption("Mean losses: " + " · ".join(f"{names[k]} {v:.4f}" for k, v in means.items()) +
               " (the lecture: clean 0.0008, noisy 0.0042, wrong 0.0082). Bright: the points the "
               "threshold flags; faded: the points it lets pass (500 of each kind shown).")
