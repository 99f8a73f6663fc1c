"""Pictures the pages redraw often, kept cheap for the server: a network's answer, its
probabilities as HTML bars and 28x28 pictures sent at 28x28, for every drawing; and charts
that follow a running job, light SVG pictures while they redraw every few seconds, Plotly
(hover, zoom) once the job has finished and they stop changing."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import streamlit as st

from core.figures import plots, svg_chart

ANSWER_STYLE = ("<style>.nc-digit{font-size:6rem;font-weight:700;line-height:1;color:#4cc9f0;"
                "text-align:center}.nc-digit.nc-doubt{color:#8d99ae;text-decoration:"
                "line-through 3px}.nc-confidence{text-align:center;font-size:1.2rem;"
                "opacity:.8}"
                ".nc-bars{display:flex;gap:4px;margin-bottom:1rem}"
                ".nc-bar{flex:1;display:flex;flex-direction:column;align-items:stretch;"
                "padding-top:1.5rem}.nc-track{position:relative;flex:1}"
                f".nc-track i{{position:absolute;bottom:0;left:10%;right:10%;min-height:2px;"
                f"background:{plots.MUTED};border-radius:3px 3px 0 0}}"
                f".nc-top .nc-track i{{background:{plots.ACCENT}}}"
                f".nc-meant .nc-track i{{background:{plots.MEANT}}}"
                ".nc-track span{position:absolute;left:-12px;right:-12px;text-align:center;"
                "white-space:nowrap;font-size:.9rem;margin-bottom:2px}"
                ".nc-bar b{text-align:center;font-size:1.1rem;font-weight:600;padding-top:4px}"
                "[data-testid=stImage] img{image-rendering:pixelated}"  # see `pixels`
                "</style>")


def answer(where, text: str, confidence: float, doubt: bool) -> None:
    """A network's answer in large type with how sure it is; struck through when the
    drawing looks like none of the classes. The page puts ANSWER_STYLE once. `text` may be a
    class name someone typed: it is escaped."""
    where.markdown(f"<div class='nc-digit{' nc-doubt' if doubt else ''}'>{html.escape(text)}</div>"
                   f"<div class='nc-confidence'>{confidence:.0%} sure</div>",
                   unsafe_allow_html=True)


def pixels(where, image: np.ndarray, width: int, caption: str | None = None) -> None:
    """A small uint8 picture shown `width` px wide with square pixels. The browser enlarges
    it (ANSWER_STYLE makes the page's images pixelated), so the server encodes 784 pixels
    per picture instead of 19,600, losslessly (a JPEG would smear them)."""
    where.image(image, width=width, caption=caption, output_format="PNG")


def saliency(where, image: np.ndarray, heat: np.ndarray) -> None:
    """A network's saliency map over the drawing it read, beside its answer."""
    pixels(where, plots.saliency_overlay(image, heat), 140,
           "Saliency: pixels that moved the answer")


def probability_bars(where, probabilities: np.ndarray, class_names: Sequence[str],
                     true_label: int | None = None, height: int = 200) -> None:
    """Every class's probability as a bar, the answer highlighted and the class meant, when
    it differs, in orange. Plain HTML (the page puts ANSWER_STYLE once): it is drawn for
    every answer, and a Plotly chart cost the server several times more."""
    predicted = int(np.argmax(probabilities))
    bars = []
    for index, (p, name) in enumerate(zip(probabilities, class_names, strict=True)):
        kind = "nc-top" if index == predicted else "nc-meant" if index == true_label else ""
        name = html.escape(str(name))
        bars.append(f"<div class='nc-bar {kind}' title='{name}: {p:.2%}'><div class='nc-track'>"
                    f"<i style='height:{100 * p:.1f}%'></i><span style='bottom:{100 * p:.1f}%'>"
                    f"{f'{p:.0%}' if p >= 0.01 else ''}</span></div><b>{name}</b></div>")
    where.markdown(f"<div class='nc-bars' style='height:{height}px'>{''.join(bars)}</div>",
                   unsafe_allow_html=True)


def curves(x: Sequence[float], series: dict[str, Sequence[float | None]], x_title: str,
           y_title: str, live: bool, key: str, y_range: tuple[float, float] | None = None,
           height: int = 260) -> None:
    """Series over the same x."""
    if live:
        st.image(svg_chart.series_lines(x, series, x_title, y_title, y_range=y_range,
                                        height=height), width="stretch")
    else:
        st.plotly_chart(plots.curves(list(x), series, x_title, y_title, y_range=y_range,
                                     height=height), key=key)


def class_shares(shares: np.ndarray, live: bool, key: str, height: int = 280) -> None:
    """The share of samples per class, the fair share marked (mode collapse shows)."""
    if live:
        st.image(svg_chart.bars(shares.tolist(), [str(i) for i in range(len(shares))],
                                "share of samples", "class the judge sees",
                                line=1 / len(shares), line_label="fair share",
                                height=height), width="stretch")
    else:
        st.plotly_chart(plots.class_shares(shares, height=height), key=key)


def point_lines(series: dict[str, list[tuple[float, float]]], x_title: str, live: bool,
                key: str, figure, height: int = 300) -> None:
    """Accuracy series, each with its own x: SVG while live, then `figure(series)` (Plotly)."""
    if live:
        traces = [svg_chart.Trace(name, [x for x, _ in points], [y for _, y in points],
                                  markers=True) for name, points in series.items()]
        st.image(svg_chart.lines(traces, x_title, "held-out accuracy", y_range=(0.0, 1.0),
                                 percent_y=True, height=height), width="stretch")
    else:
        st.plotly_chart(figure(series), key=key, config={"displayModeBar": False})
