"""Figures and pictures for the pages: pure functions, arrays in, figures or images out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

ACCENT = "#4cc9f0"
MUTED = "#5c677d"
TEXT = "#f1f3f6"
FONT = dict(size=16, color=TEXT)
GRID = "#2a2f3a"
AXIS = dict(gridcolor=GRID, tickfont=dict(size=14, color=TEXT))
MEANT = "#f77f00"  # the class a person meant, when the network read another
PALETTE = (ACCENT, "#ff9e1a", "#f72585", "#80ed99")


def upscale(image: np.ndarray, size: int = 224) -> np.ndarray:
    """Enlarge a small image with square pixels (no blur), so 28x28 reads on a projector."""
    factor = max(1, size // max(image.shape[:2]))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def gray_to_rgb(image: np.ndarray) -> np.ndarray:
    """Turn (H, W) floats in [0, 1] into (H, W, 3) uint8."""
    gray = (np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


HEAT_STOPS = ((0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164))
# The same ramp for plotly heatmaps (the app's theme would otherwise replace a named scale).
HEAT_SCALE = [[k / (len(HEAT_STOPS) - 1), f"rgb{stop}"] for k, stop in enumerate(HEAT_STOPS)]
NEGATIVE, POSITIVE = (77, 201, 240), (255, 158, 26)  # signed values: blue below zero, orange above
SIGNED_SCALE = [[0, f"rgb{NEGATIVE}"], [0.5, "rgb(0, 0, 0)"], [1, f"rgb{POSITIVE}"]]


def heat_colours(values: np.ndarray) -> np.ndarray:
    """Map (H, W) floats in [0, 1] to an (H, W, 3) float 'inferno'-like colour ramp."""
    stops = np.array(HEAT_STOPS, dtype=np.float32) / 255.0
    position = np.clip(values, 0.0, 1.0) * (len(stops) - 1)
    low = np.floor(position).astype(int).clip(0, len(stops) - 2)
    weight = (position - low)[..., None]
    return stops[low] * (1 - weight) + stops[low + 1] * weight


def saliency_overlay(image: np.ndarray, saliency: np.ndarray, strength: float = 0.75) -> np.ndarray:
    """Blend a saliency map over the input digit: (H, W, 3) uint8."""
    base = np.clip(image, 0.0, 1.0)[..., None] * 0.6
    heat = heat_colours(saliency)
    alpha = (strength * np.sqrt(np.clip(saliency, 0.0, 1.0)))[..., None]
    return (np.clip(base * (1 - alpha) + heat * alpha, 0.0, 1.0) * 255).astype(np.uint8)


def probability_bars(probabilities: np.ndarray, class_names: tuple[str, ...],
                     true_label: int | None = None, height: int = 240) -> go.Figure:
    """Bar chart of every class's probability, the predicted class highlighted.

    Built from plain dicts in one call: it is on every answer's path, and plotly's
    `update_layout` took 5x longer (about 18 ms against 3.5 ms on a slow 2-core host)."""
    predicted = int(np.argmax(probabilities))
    colours = [ACCENT if i == predicted else MUTED for i in range(len(probabilities))]
    if true_label is not None and true_label != predicted:
        colours[true_label] = MEANT
    bar = dict(type="bar", x=list(class_names), y=probabilities, marker=dict(color=colours),
               text=[f"{p:.0%}" if p >= 0.01 else "" for p in probabilities],
               textposition="outside", textfont=dict(size=14, color=TEXT),
               hovertemplate="%{x}: %{y:.2%}<extra></extra>")
    layout = dict(
        height=height, margin=dict(l=10, r=10, t=10, b=10), font=FONT,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", bargap=0.25,
        yaxis=dict(range=[0, 1.15], showgrid=False, showticklabels=False, zeroline=False),
        xaxis=dict(type="category", tickfont=dict(size=16)), showlegend=False,
    )
    return go.Figure(data=[bar], layout=layout)


BACKGROUND = np.array([14, 17, 23], np.uint8)  # the dark theme's page colour, between tiles


def signed_colours(values: np.ndarray) -> np.ndarray:
    """Map (H, W) floats in [-1, 1] to (H, W, 3) floats: blue below zero, black at zero,
    orange to yellow above (reads on a dark page and a projector)."""
    v = np.clip(values, -1.0, 1.0)[..., None]
    negative = np.array(NEGATIVE, np.float32) / 255.0
    positive = np.array(POSITIVE, np.float32) / 255.0
    return np.where(v < 0, -v * negative, v * positive)


def colour_image(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Colour a map (H, W[, C]) as (H, W[, C], 3) uint8: heat colours when it is
    non-negative, signed colours otherwise.

    `scale` is the value drawn at full brightness (default: the map's largest magnitude).
    """
    values = np.asarray(values, np.float32)
    scale = float(scale if scale is not None else np.abs(values).max()) or 1.0
    if values.min() >= 0:
        return (heat_colours(values / scale) * 255).astype(np.uint8)
    return (signed_colours(values / scale) * 255).astype(np.uint8)


def feature_grid(maps: np.ndarray, tile: int = 56, gap: int = 3,
                 columns: int | None = None) -> np.ndarray:
    """Lay out every map of (H, W, C) as a grid of coloured tiles: (rows, cols) RGB uint8.

    All tiles share one brightness scale (the layer's 99.5th percentile magnitude) and
    one colour scheme, so a map that barely fires looks dark instead of being stretched
    to look busy.
    """
    height, width, count = maps.shape
    columns = columns or (8 if count <= 64 else 16)
    rows = -(-count // columns)
    factor = max(1, tile // max(height, width))
    size_h, size_w = height * factor, width * factor
    scale = float(np.percentile(np.abs(maps), 99.5)) or 1.0
    tiles = upscale(colour_image(np.clip(maps, -scale, scale), scale), max(size_h, size_w))
    grid = np.empty((rows * (size_h + gap) - gap, columns * (size_w + gap) - gap, 3), np.uint8)
    grid[:] = BACKGROUND
    for index in range(count):
        top, left = (index // columns) * (size_h + gap), (index % columns) * (size_w + gap)
        grid[top : top + size_h, left : left + size_w] = tiles[:, :, index]
    return grid


def _heatmap(values: np.ndarray, signed: bool | None = None,
             bound: float | None = None) -> go.Heatmap:
    """A heatmap trace: heat colours from zero, or signed colours centred on zero.

    `bound` is the magnitude drawn brightest (default: the values' own largest).
    """
    values = np.asarray(values, np.float32)
    signed = bool(values.min() < 0) if signed is None else signed
    bound = bound or float(np.abs(values).max()) or 1.0
    return go.Heatmap(z=values, colorscale=SIGNED_SCALE if signed else HEAT_SCALE,
                      zmin=-bound if signed else 0, zmax=bound, showscale=False,
                      hovertemplate="row %{y}, column %{x}: %{z:.4f}<extra></extra>")


def value_heatmap(values: np.ndarray, title: str = "", height: int = 320) -> go.Figure:
    """A map as a heatmap whose hover gives every number."""
    figure = go.Figure(_heatmap(values))
    _square_layout(figure, title, height)
    figure.update_yaxes(scaleanchor="x")
    return figure


def value_grids(panels: list[tuple[str, np.ndarray, bool]], marked: tuple[int, int] | None = None,
                height: int = 260) -> go.Figure:
    """Small matrices side by side (title, values, signed), every number written in its cell.

    `marked` frames one cell of the first panel (the winner of a pooling window).
    """
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=len(panels), horizontal_spacing=0.05,
                           subplot_titles=[title for title, _, _ in panels])
    figure.update_annotations(font=dict(size=16, color=TEXT))  # the titles
    for index, (_, values, signed) in enumerate(panels, start=1):
        trace = _heatmap(values, signed)
        figure.add_trace(trace, 1, index)
        axis = "" if index == 1 else str(index)
        for (row, col), value in np.ndenumerate(np.asarray(values)):
            bright = abs(value) / trace.zmax > 0.6  # dark digits on bright cells
            figure.add_annotation(x=col, y=row, xref=f"x{axis}", yref=f"y{axis}",
                                  text=f"{value:.2f}", showarrow=False,
                                  font=dict(size=16, color="#111" if bright else TEXT))
        figure.update_yaxes(scaleanchor=f"x{axis}", row=1, col=index)
    if marked is not None:
        figure.add_shape(type="rect", x0=marked[1] - 0.5, x1=marked[1] + 0.5,
                         y0=marked[0] - 0.5, y1=marked[0] + 0.5, line=dict(color=ACCENT, width=4))
    _square_layout(figure, "", height)
    figure.update_layout(margin=dict(l=4, r=4, t=36, b=4))
    return figure


def _square_layout(figure: go.Figure, title: str, height: int) -> None:
    figure.update_layout(
        title=dict(text=title, font=dict(size=16, color=TEXT), x=0.5, xanchor="center"),
        height=height, margin=dict(l=4, r=4, t=36 if title else 4, b=4), font=FONT,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
    )
    figure.update_xaxes(visible=False, constrain="domain")
    figure.update_yaxes(visible=False, autorange="reversed")


def _window_shapes(row: int, col: int, window: int, out_row: int, out_col: int) -> list[dict]:
    """Rectangles for the window on the input (x/y) and its output cell (x2/y2)."""
    return [dict(type="rect", xref="x", yref="y", x0=col - 0.5, x1=col + window - 0.5,
                 y0=row - 0.5, y1=row + window - 0.5, line=dict(color=ACCENT, width=3)),
            dict(type="rect", xref="x2", yref="y2", x0=out_col - 0.5, x1=out_col + 0.5,
                 y0=out_row - 0.5, y1=out_row + 0.5, line=dict(color=ACCENT, width=3))]


def sliding_window(source: np.ndarray, output: np.ndarray, window: int, stride: int,
                   offset: int, position: tuple[int, int], animate: bool = False,
                   max_frames: int = 170, height: int = 380) -> go.Figure:
    """The input with the window at `position`, beside the output it produces.

    With `animate`, the figure carries frames that slide the window over the whole input
    while the output fills in (a Play button plays them in the browser, no server
    round trips). `offset` is the padding before the first row and column.
    """
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2, horizontal_spacing=0.06,
                           subplot_titles=("input", "output"))
    source_bound = float(np.abs(source).max()) or 1.0
    figure.add_trace(go.Heatmap(z=source, colorscale=[[0, "black"], [1, "white"]], zmin=0,
                                zmax=source_bound, showscale=False,
                                hovertemplate="row %{y}, column %{x}: %{z:.4f}<extra></extra>"),
                     1, 1)
    bound = float(np.abs(output).max()) or 1.0
    signed = bool(output.min() < 0)
    out_rows, out_cols = output.shape

    def revealed(upto: int) -> np.ndarray:
        shown = np.full(output.size, np.nan, np.float32)
        shown[: upto + 1] = output.reshape(-1)[: upto + 1]
        return shown.reshape(output.shape)

    def place(index: int) -> list[dict]:
        out_row, out_col = divmod(index, out_cols)
        return _window_shapes(out_row * stride - offset, out_col * stride - offset, window,
                              out_row, out_col)

    current = position[0] * out_cols + position[1]
    figure.add_trace(_heatmap(output, signed, bound), 1, 2)
    shapes = place(current)
    if animate:
        step = max(1, -(-output.size // max_frames))
        indices = [*range(0, output.size, step), output.size - 1]
        figure.frames = [go.Frame(data=[_heatmap(np.round(revealed(i), 3), signed, bound)],
                                  traces=[1],
                                  layout=dict(shapes=place(i)), name=str(i)) for i in indices]
        figure.update_layout(updatemenus=[dict(
            type="buttons", showactive=False, x=0.5, y=-0.02, xanchor="center", yanchor="top",
            direction="left", font=dict(size=16, color="#111"), bgcolor=ACCENT,
            buttons=[dict(label="▶ Play", method="animate",
                          args=[None, dict(frame=dict(duration=50, redraw=True),
                                           transition=dict(duration=0), fromcurrent=False)]),
                     dict(label="❚❚ Pause", method="animate",
                          args=[[None], dict(mode="immediate", frame=dict(duration=0))])])])
    figure.update_layout(shapes=shapes, height=height, font=FONT,
                         margin=dict(l=4, r=4, t=30, b=50 if animate else 4),
                         paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    # Fixed ranges: a half-revealed output keeps its full size while the animation plays.
    for col, (rows, cols) in enumerate((source.shape, output.shape), start=1):
        figure.update_xaxes(visible=False, range=[-0.5, cols - 0.5], constrain="domain",
                            row=1, col=col)
        figure.update_yaxes(visible=False, range=[rows - 0.5, -0.5],
                            scaleanchor="x" if col == 1 else "x2", row=1, col=col)
    return figure


def curves(x: list, series: dict[str, list], x_title: str, y_title: str,
           y_range: tuple[float, float] | None = None, goal: float | None = None,
           height: int = 320) -> go.Figure:
    """Line chart of one or more series over the same x (training curves)."""
    figure = go.Figure()
    for index, (name, values) in enumerate(series.items()):
        figure.add_trace(go.Scatter(x=x, y=values, name=name, mode="lines+markers",
                                    marker=dict(size=4),
                                    line=dict(color=PALETTE[index % len(PALETTE)], width=3)))
    if goal is not None:
        figure.add_hline(y=goal, line=dict(color=MUTED, dash="dash"),
                         annotation_text=f"{goal:.0%}", annotation_font=dict(color=TEXT))
    chart_layout(figure, height, dict(title=x_title),
                  dict(title=y_title, range=list(y_range) if y_range else None),
                  showlegend=len(series) > 1)
    return figure


def chart_layout(figure: go.Figure, height: int, xaxis: dict, yaxis: dict, **extra) -> None:
    """The house style of a chart: transparent on the dark theme, large type, legend on top."""
    figure.update_layout(
        height=height, margin=dict(l=10, r=10, t=10, b=10), font=FONT,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        xaxis=AXIS | xaxis, yaxis=AXIS | yaxis,
        # Streamlit's chart theme sets small fonts of its own: name ours.
        legend=dict(orientation="h", y=1.02, yanchor="bottom", font=FONT), **extra,
    )
    figure.update_xaxes(title_font=FONT)  # after the titles are set: setting one resets its font
    figure.update_yaxes(title_font=FONT)


def image_stack(images: list[np.ndarray], size: int = 84, gap: int = 4) -> np.ndarray:
    """Stack (H, W) images in [0, 1] top to bottom, enlarged, with thin grey rules: uint8 RGB."""
    tiles = [upscale(gray_to_rgb(image), size) for image in images]
    rule = np.full((gap, tiles[0].shape[1], 3), 90, np.uint8)
    parts = [part for tile in tiles for part in (tile, rule)][:-1]
    return np.concatenate(parts, axis=0)


def log_histograms(series: dict[str, np.ndarray], threshold: float | None = None,
                   bins: int = 60, height: int = 320) -> go.Figure:
    """Overlaid histograms of positive values on a log axis, with a threshold line."""
    positive = {name: np.maximum(values, 1e-12) for name, values in series.items()}
    lows = [np.log10(values).min() for values in positive.values()]
    highs = [np.log10(values).max() for values in positive.values()]
    edges = np.linspace(min(lows), max(highs), bins + 1)
    figure = go.Figure()
    for index, (name, values) in enumerate(positive.items()):
        counts, _ = np.histogram(np.log10(values), edges)
        figure.add_trace(go.Bar(x=10 ** ((edges[:-1] + edges[1:]) / 2), y=counts, name=name,
                                width=10 ** edges[1:] - 10 ** edges[:-1], opacity=0.65,
                                marker_color=PALETTE[index % len(PALETTE)]))
    if threshold is not None:
        figure.add_vline(x=threshold, line=dict(color=TEXT, dash="dash", width=2),
                         annotation_text="threshold", annotation_font=dict(color=TEXT))
    chart_layout(figure, height, dict(type="log", title="reconstruction loss (log scale)"),
                  dict(title="points"), barmode="overlay")
    return figure


def flagged_points(groups: dict[str, tuple[np.ndarray, np.ndarray]],
                   height: int = 320) -> go.Figure:
    """Scatter of 2-D points per group (points, flagged mask): flagged bright, the rest faded."""
    figure = go.Figure()
    for index, (name, (points, flagged)) in enumerate(groups.items()):
        figure.add_trace(go.Scattergl(
            x=points[:, 0], y=points[:, 1], mode="markers", name=name,
            marker=dict(size=6, color=PALETTE[index % len(PALETTE)],
                        opacity=np.where(flagged, 1.0, 0.18)),
        ))
    chart_layout(figure, height, dict(title="x"), dict(title="y"))
    return figure


def class_shares(shares: np.ndarray, class_names: tuple[str, ...] | None = None,
                 height: int = 280) -> go.Figure:
    """Bars of the share of samples per class, with the fair share marked: mode collapse
    shows as bars far from the line."""
    names = list(class_names or [str(i) for i in range(len(shares))])
    fair = dict(color=MUTED, dash="dash")
    figure = go.Figure(go.Bar(x=names, y=shares, marker_color=PALETTE[0], showlegend=False,
                              text=[f"{s:.0%}" for s in shares], textposition="outside"))
    figure.add_hline(y=1 / len(shares), line=fair)
    # The line is named in the legend: a label on the plot would sit on a bar.
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=fair,
                                name=f"fair share ({1 / len(shares):.0%})"))
    chart_layout(figure, height, dict(title="class the judge sees", type="category"),
                  dict(title="share of samples", tickformat=".0%",
                       range=[0, max(0.25, float(shares.max()) * 1.2)]), showlegend=True)
    return figure


CLASS_COLOURS = ("#4cc9f0", "#ff9e1a", "#f72585", "#80ed99", "#b388ff", "#ffd60a", "#ff595e",
                 "#8ac926", "#1982c4", "#f1f3f6")


def latent_map(points: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...],
               chosen: tuple[float, float] | None = None, height: int = 520) -> go.Figure:
    """Scatter of 2-D latent codes coloured by class, with the chosen point marked."""
    figure = go.Figure()
    for index, name in enumerate(class_names):
        mask = labels == index
        figure.add_trace(go.Scattergl(
            x=points[mask, 0], y=points[mask, 1], mode="markers", name=name,
            marker=dict(size=5, color=CLASS_COLOURS[index % len(CLASS_COLOURS)], opacity=0.7)))
    if chosen is not None:
        figure.add_trace(go.Scatter(
            x=[chosen[0]], y=[chosen[1]], mode="markers", name="chosen", showlegend=False,
            marker=dict(size=18, symbol="x", color=TEXT, line=dict(width=2, color="#000"))))
    chart_layout(figure, height, dict(title="z₁"), dict(title="z₂", scaleanchor="x"),
                  clickmode="event+select")
    return figure
