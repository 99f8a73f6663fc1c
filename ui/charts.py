"""Charts that follow a running job: light SVG pictures while they redraw every few seconds,
Plotly (hover, zoom) once the job has finished and they stop changing."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import streamlit as st

from core.figures import plots, svg_chart

ANSWER_STYLE = ("<style>.nc-digit{font-size:6rem;font-weight:700;line-height:1;color:#4cc9f0;"
                "text-align:center}.nc-digit.nc-doubt{color:#8d99ae;text-decoration:"
                "line-through 3px}.nc-confidence{text-align:center;font-size:1.2rem;"
                "opacity:.8}</style>")


def answer(where, text: str, confidence: float, doubt: bool) -> None:
    """A network's answer in large type with how sure it is; struck through when the
    drawing looks like none of the classes. The page puts ANSWER_STYLE once. `text` may be a
    class name someone typed: it is escaped."""
    where.markdown(f"<div class='nc-digit{' nc-doubt' if doubt else ''}'>{html.escape(text)}</div>"
                   f"<div class='nc-confidence'>{confidence:.0%} sure</div>",
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
