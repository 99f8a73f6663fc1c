"""Charts of how far a classifier can be trusted: the reliability diagram, the coverage /
accuracy curve of an "I don't know" threshold, and accuracy under each distortion."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.plots import MUTED, PALETTE, chart_layout


def reliability(edges: np.ndarray, before: np.ndarray, after: np.ndarray,
                counts: np.ndarray, height: int = 360) -> go.Figure:
    """Accuracy per confidence bin before and after temperature scaling, against the
    diagonal a perfectly calibrated model sits on."""
    centres = (edges[:-1] + edges[1:]) / 2
    width = float(edges[1] - edges[0])
    hover = [f"{int(n):,} images" for n in counts]
    figure = go.Figure([
        go.Bar(x=centres, y=before, width=width * 0.45, offset=-width * 0.45,
               name="as trained", marker_color=PALETTE[2], hovertext=hover),
        go.Bar(x=centres, y=after, width=width * 0.45, offset=0, name="temperature-scaled",
               marker_color=PALETTE[0], hovertext=hover),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated",
                   line=dict(color=MUTED, dash="dash")),
    ])
    chart_layout(figure, height, dict(title="confidence (bin of the test images)", range=[0, 1]),
                 dict(title="accuracy in the bin", range=[0, 1.02], tickformat=".0%"))
    figure.update_layout(legend=dict(orientation="h", y=1.12))
    return figure


def coverage(thresholds: np.ndarray, share: np.ndarray, accuracy: np.ndarray, chosen: float,
             height: int = 320) -> go.Figure:
    """Accuracy on the answered images against the share answered, one point per threshold,
    the chosen threshold marked."""
    at = int(np.argmin(np.abs(thresholds - chosen)))
    figure = go.Figure([
        go.Scatter(x=share, y=accuracy, mode="lines", name="thresholds",
                   line=dict(color=PALETTE[0], width=3),
                   hovertext=[f"threshold {t:.2f}" for t in thresholds]),
        go.Scatter(x=[share[at]], y=[accuracy[at]], mode="markers", name=f"{chosen:.2f}",
                   marker=dict(color=PALETTE[2], size=14)),
    ])
    low = max(0.0, float(np.nanmin(accuracy)) - 0.005)
    chart_layout(figure, height, dict(title="share of images answered", tickformat=".0%"),
                 dict(title="accuracy on those", tickformat=".1%", range=[low, 1.0005]))
    figure.update_layout(showlegend=False)
    return figure


def robustness(kinds: list[str], titles: list[str], accuracy: dict[str, list[float]],
               height: int = 380) -> go.Figure:
    """Grouped bars: accuracy per transformation (clean first), one colour per classifier."""
    figure = go.Figure([
        go.Bar(x=titles, y=values, name=name, marker_color=PALETTE[index % len(PALETTE)],
               text=[f"{v:.1%}" for v in values], textposition="outside",
               customdata=kinds)
        for index, (name, values) in enumerate(accuracy.items())
    ])
    low = max(0.0, min(min(v) for v in accuracy.values()) - 0.1)
    chart_layout(figure, height, dict(type="category"),
                 dict(title="accuracy", tickformat=".0%", range=[low, 1.04]))
    figure.update_layout(barmode="group", legend=dict(orientation="h", y=1.12))
    return figure
