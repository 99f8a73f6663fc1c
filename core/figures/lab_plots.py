"""The training lab's figures: live curves, comparisons, what a model gets wrong, the data,
and the fundamentals. Pure functions in the house style of core.figures.plots."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from core.figures import svg_chart
from core.figures.plots import MUTED, PALETTE, TEXT, chart_layout
from core.figures.svg_chart import Trace
from core.scratch import fundamentals

LOG_AXIS = dict(type="log", dtick=1)  # labels at 1, 0.1, 0.01 only: readable from the back row
SMOOTHING = 0.9  # exponential moving average of the batch curves, as TensorBoard draws them


def smooth(values: np.ndarray, weight: float = SMOOTHING) -> np.ndarray:
    """Exponential moving average with bias correction (the first points are not damped)."""
    out, average = np.empty(len(values)), 0.0
    for i, value in enumerate(values):
        average = weight * average + (1 - weight) * value
        out[i] = average / (1 - weight ** (i + 1))
    return out


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


class Curves(NamedTuple):
    """One lab run's curves, as its record keeps them: a label, its batches (position in
    epochs, loss, accuracy, learning rate), as many as are worth drawing, and its epochs."""

    label: str
    batches: list[tuple]
    epochs: list[dict]


def live_traces(curves: Curves, metric: str) -> list[Trace]:
    """One metric ("loss" or "accuracy") of a run: every batch given (faint), their moving
    average, and each epoch's train and test values, over epochs."""
    traces = []
    if curves.batches:
        points = np.asarray(curves.batches, dtype=float)
        column = 1 if metric == "loss" else 2
        traces += [Trace("each batch", points[:, 0], points[:, column], PALETTE[0], width=1,
                         opacity=0.25, in_legend=False),
                   Trace("batches, smoothed", points[:, 0], smooth(points[:, column]),
                         PALETTE[0])]
    if curves.epochs:
        x = [row["epoch"] for row in curves.epochs]
        traces += [Trace("train (epoch)", x, [row[metric] for row in curves.epochs], PALETTE[1],
                         width=2, markers=True),
                   Trace("test (epoch)", x, [row[f"val_{metric}"] for row in curves.epochs],
                         PALETTE[2], markers=True)]
    return traces


def live_curves(curves: Curves, metric: str, height: int = 330) -> go.Figure:
    """`live_traces` as a Plotly figure."""
    figure = go.Figure([_scatter(trace) for trace in live_traces(curves, metric)])
    chart_layout(figure, height, dict(title="epoch"), metric_axis(metric))
    return figure


def overlay_traces(runs: list[Curves], metric: str) -> list[Trace]:
    """Several runs' test accuracy (per epoch) or batch loss (smoothed), over epochs."""
    traces = []
    for index, run in enumerate(runs):
        if metric == "loss" and run.batches:
            points = np.asarray(run.batches, dtype=float)
            traces.append(Trace(run.label, points[:, 0], smooth(points[:, 1]), colour(index)))
        elif metric == "accuracy":
            traces.append(Trace(run.label, [0] + [row["epoch"] for row in run.epochs],
                                [None] + [row["val_accuracy"] for row in run.epochs],
                                colour(index), markers=True))
    return traces


def overlay(runs: list[Curves], metric: str, height: int = 360) -> go.Figure:
    """`overlay_traces` as a Plotly figure, the runs listed under it."""
    figure = go.Figure([_scatter(trace) for trace in overlay_traces(runs, metric)])
    y_axis = dict(title=overlay_title(metric)) | (
        dict(tickformat=".1%") if metric == "accuracy" else LOG_AXIS)
    chart_layout(figure, height, dict(title="epoch"), y_axis)
    figure.update_layout(legend=dict(orientation="v", y=-0.25, yanchor="top"),
                         margin=dict(b=10 + 28 * len(runs)))
    return figure


def overlay_title(metric: str) -> str:
    """What an overlay plots of each run: its test accuracy, or its smoothed batch loss."""
    return "test accuracy" if metric == "accuracy" else "training loss (smoothed)"


def run_curves(runs: list[Curves], race: bool, metric: str) -> go.Figure:
    """What the lab shows of a job: one run's curves, or a race's runs overlaid."""
    return overlay(runs, metric) if race else live_curves(runs[0], metric)


def run_curves_svg(runs: list[Curves], race: bool, metric: str) -> str:
    """`run_curves` as a light SVG picture, for redrawing every few seconds while it trains."""
    if race:
        traces, title = overlay_traces(runs, metric), overlay_title(metric)
    else:
        traces, title = live_traces(runs[0], metric), metric
    return svg_chart.lines(traces, "epoch", title, log_y=metric == "loss",
                           percent_y=metric == "accuracy", height=330)


def metric_axis(metric: str) -> dict:
    """Accuracy in percent; loss on a log axis."""
    return dict(title=metric) | (dict(tickformat=".0%") if metric == "accuracy" else LOG_AXIS)


def _scatter(trace: Trace) -> go.Scatter:
    return go.Scatter(x=trace.x, y=trace.y, name=trace.name, opacity=trace.opacity,
                      mode="markers+lines" if trace.markers else "lines",
                      showlegend=trace.in_legend, line=dict(color=trace.colour, width=trace.width),
                      marker=dict(size=2 * trace.width + 5))


def confusion(matrix: np.ndarray, class_names: tuple[str, ...], height: int = 560) -> go.Figure:
    """The confusion matrix with its counts; the diagonal left out of the colour scale so the
    mistakes show."""
    off = matrix.astype(float)
    np.fill_diagonal(off, np.nan)
    off[off == 0] = np.nan  # only the mistakes are coloured; empty cells stay the background
    text = np.where((matrix > 0) | np.eye(len(matrix), dtype=bool), matrix.astype(str), "")
    names = list(class_names)
    figure = go.Figure(go.Heatmap(
        z=off, x=names, y=names, colorscale="Magma", showscale=False, text=text,
        texttemplate="%{text}", hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
    ))
    chart_layout(figure, height, dict(title="predicted", type="category", side="top"),
                  dict(title="true", type="category", autorange="reversed"))
    return figure


def per_class(accuracy: np.ndarray, class_names: tuple[str, ...], height: int = 300) -> go.Figure:
    """Bars of each class's accuracy, the worst one marked."""
    colours = [PALETTE[2] if i == int(np.argmin(accuracy)) else PALETTE[0]
               for i in range(len(accuracy))]
    figure = go.Figure(go.Bar(x=list(class_names), y=accuracy, marker_color=colours,
                              text=[f"{a:.1%}" for a in accuracy], textposition="outside"))
    low = max(0.0, float(accuracy.min()) - 0.05)
    chart_layout(figure, height, dict(type="category"),
                  dict(title="accuracy", tickformat=".0%", range=[low, 1.01]))
    return figure


def weight_histograms(entries: list[dict], height: int = 320) -> go.Figure:
    """One layer's weight histogram after each epoch (epoch 0: before training), later epochs
    brighter."""
    figure = go.Figure()
    for index, entry in enumerate(entries):
        edges = np.asarray(entry["edges"])
        shade = 0.25 + 0.75 * index / max(1, len(entries) - 1)
        figure.add_trace(go.Scatter(
            x=(edges[:-1] + edges[1:]) / 2, y=entry["counts"], mode="lines",
            name=f"epoch {entry['epoch']}", line=dict(width=3, shape="hvh",
                                                      color=f"rgba(76, 201, 240, {shade:.2f})"),
        ))
    chart_layout(figure, height, dict(title="weight"), dict(title="weights"))
    return figure


def class_counts(train: np.ndarray, test: np.ndarray, class_names: tuple[str, ...],
                 height: int = 320) -> go.Figure:
    """The report's figure 8.2: images per class, train in blue and test in orange."""
    figure = go.Figure([
        go.Bar(x=list(class_names), y=train, name="train", marker_color="#1f77b4"),
        go.Bar(x=list(class_names), y=test, name="test", marker_color="#ff7f0e"),
    ])
    chart_layout(figure, height, dict(type="category"), dict(title="images"), barmode="group")
    return figure


def activation(name: str, height: int = 300) -> go.Figure:
    """An activation function and its derivative on [-5, 5]."""
    x = np.linspace(-5, 5, 401)
    f, derivative = fundamentals.ACTIVATIONS[name]
    figure = go.Figure([
        go.Scatter(x=x, y=f(x), name=f"{name}(x)", line=dict(color=PALETTE[0], width=4)),
        go.Scatter(x=x, y=derivative(x), name="its derivative",
                   line=dict(color=PALETTE[1], width=3, dash="dash")),
    ])
    chart_layout(figure, height, dict(title="x"), dict(title=""))
    return figure


def descent(xs: np.ndarray, height: int = 340) -> go.Figure:
    """Gradient descent's steps on f(x) = (x − 3)²."""
    span = max(6.0, float(np.abs(xs - 3).max()) + 1)
    grid = np.linspace(3 - span, 3 + span, 300)
    figure = go.Figure([
        go.Scatter(x=grid, y=(grid - 3) ** 2, name="f(x) = (x − 3)²",
                   line=dict(color=MUTED, width=3)),
        go.Scatter(x=xs, y=(xs - 3) ** 2, name="steps", mode="lines+markers",
                   line=dict(color=PALETTE[1], width=2), marker=dict(size=10)),
    ])
    chart_layout(figure, height, dict(title="x"), dict(title="f(x)"))
    return figure


def trajectories(surface: fundamentals.Surface, paths: dict[str, np.ndarray],
                 height: int = 480) -> go.Figure:
    """Optimizers' paths over a loss surface's contours."""
    x0, x1, y0, y1 = surface.window
    x, y = np.linspace(x0, x1, 160), np.linspace(y0, y1, 160)
    grid_x, grid_y = np.meshgrid(x, y)
    figure = go.Figure(go.Contour(x=x, y=y, z=np.log1p(surface.loss(grid_x, grid_y)),
                                  colorscale="Greys", showscale=False, ncontours=25,
                                  contours=dict(coloring="lines"), hoverinfo="skip"))
    for index, (name, path) in enumerate(paths.items()):
        figure.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], name=name, mode="lines+markers",
                                    marker=dict(size=5), line=dict(color=colour(index), width=3)))
    chart_layout(figure, height, dict(title="x", range=[x0, x1]),
                  dict(title="y", range=[y0, y1]))
    return figure


def timings(seconds: dict[str, dict[str, float]], height: int = 320) -> go.Figure:
    """Seconds for a million evaluations: the report's loop, ours, and one NumPy call."""
    names = list(seconds)
    figure = go.Figure([
        go.Bar(x=names, y=[seconds[n]["report"] for n in names], name="the report's loop",
               marker_color=MUTED),
        go.Bar(x=names, y=[seconds[n]["loop"] for n in names], name="Python loop here",
               marker_color=PALETTE[1]),
        go.Bar(x=names, y=[seconds[n]["numpy"] for n in names], name="NumPy, vectorised",
               marker_color=PALETTE[0]),
    ])
    chart_layout(figure, height, dict(type="category"),
                  dict(title="seconds (log scale)", type="log"), barmode="group")
    return figure


def forecast(months: list[str], actual: np.ndarray, train_predicted: np.ndarray,
             test_predicted: np.ndarray, rmse: tuple[float, float],
             height: int = 380) -> go.Figure:
    """The series with the train and test predictions over it (NaN where there are none),
    with their (train, test) RMSE in the legend."""
    figure = go.Figure([
        go.Scatter(x=months, y=actual, name="actual", line=dict(color=TEXT, width=2)),
        go.Scatter(x=months, y=train_predicted, name=f"train forecast (RMSE {rmse[0]:.1f})",
                   line=dict(color=PALETTE[0], width=3)),
        go.Scatter(x=months, y=test_predicted, name=f"test forecast (RMSE {rmse[1]:.1f})",
                   line=dict(color=PALETTE[1], width=3)),
    ])
    chart_layout(figure, height, dict(title="month"), dict(title="passengers (thousands)"))
    return figure
