"""Figures and pictures for the pages: pure functions, arrays in, figures or images out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

ACCENT = "#4cc9f0"
MUTED = "#5c677d"
TEXT = "#f1f3f6"
FONT = dict(size=16, color=TEXT)


def upscale(image: np.ndarray, size: int = 224) -> np.ndarray:
    """Enlarge a small image with square pixels (no blur), so 28x28 reads on a projector."""
    factor = max(1, size // max(image.shape[:2]))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def gray_to_rgb(image: np.ndarray) -> np.ndarray:
    """Turn (H, W) floats in [0, 1] into (H, W, 3) uint8."""
    gray = (np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def heat_colours(values: np.ndarray) -> np.ndarray:
    """Map (H, W) floats in [0, 1] to an (H, W, 3) float 'inferno'-like colour ramp."""
    stops = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]],
                     dtype=np.float32) / 255.0
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
    """Bar chart of every class's probability, the predicted class highlighted."""
    predicted = int(np.argmax(probabilities))
    colours = [ACCENT if i == predicted else MUTED for i in range(len(probabilities))]
    if true_label is not None and true_label != predicted:
        colours[true_label] = "#f77f00"
    figure = go.Figure(
        go.Bar(
            x=list(class_names), y=probabilities, marker_color=colours,
            text=[f"{p:.0%}" if p >= 0.01 else "" for p in probabilities],
            textposition="outside", textfont=dict(size=14, color=TEXT),
            hovertemplate="%{x}: %{y:.2%}<extra></extra>",
        )
    )
    figure.update_layout(
        height=height, margin=dict(l=10, r=10, t=10, b=10), font=FONT,
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", bargap=0.25,
        yaxis=dict(range=[0, 1.15], showgrid=False, showticklabels=False, zeroline=False),
        xaxis=dict(type="category", tickfont=dict(size=16)), showlegend=False,
    )
    return figure
