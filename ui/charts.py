"""Charts that follow a running job: light SVG pictures while they redraw every few seconds,
Plotly (hover, zoom) once the job has finished and they stop changing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from core.figures import plots, svg_chart


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
