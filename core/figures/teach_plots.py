"""Charts of the Teach page: both networks' held-out accuracy as they train, and the
learning curve (accuracy against examples per class) that explains pretraining."""

from __future__ import annotations

import plotly.graph_objects as go

from core.figures.plots import PALETTE, chart_layout

Points = list[tuple[float, float]]


def _lines(series: dict[str, Points], x_axis: dict, height: int, markers: int) -> go.Figure:
    figure = go.Figure()
    for index, (name, points) in enumerate(series.items()):
        figure.add_trace(go.Scatter(
            x=[x for x, _ in points], y=[y for _, y in points], name=name,
            mode="lines+markers", marker=dict(size=markers),
            line=dict(color=PALETTE[index % len(PALETTE)], width=3),
            hovertemplate="%{x}: %{y:.0%}<extra>" + name + "</extra>"))
    chart_layout(figure, height, x_axis, dict(title="held-out accuracy", range=[0, 1.02],
                                              tickformat=".0%"), showlegend=True)
    return figure


def live(curves: dict[str, Points], seconds: float, height: int = 340) -> go.Figure:
    """Held-out accuracy against each network's own seconds of training."""
    return _lines(curves, dict(title="seconds of training", range=[0, seconds * 1.02]), height, 5)


def learning_curve(curves: dict[str, Points], height: int = 340) -> go.Figure:
    """Held-out accuracy against examples per class, on a log axis (1, 2, 5, 10, ...)."""
    return _lines(curves, dict(title="examples per class", type="log"), height, 10)
