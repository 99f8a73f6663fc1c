"""Pictures the pages redraw often, kept cheap for the server: a network's answer and its
probabilities as one HTML element, and 28x28 pictures sent at 28x28, for every drawing; and
charts that follow a running job, light SVG pictures while they redraw every few seconds,
Plotly (hover, zoom) once the job has finished and they stop changing."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

import numpy as np
import streamlit as st

from core.data import image_grid
from core.figures import plots, svg_chart
from core.inference import predict

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
                ".nc-reading{display:grid;grid-template-columns:1fr 1fr;align-items:start;"
                "gap:1rem;margin-bottom:1rem}"
                ".nc-pixels{margin:0 auto}.nc-pixels img{width:100%;height:auto;object-fit:fill;"
                "image-rendering:pixelated;border-radius:4px}"
                ".nc-pixels figcaption{text-align:center;font-size:.875rem;opacity:.6;"
                "padding-top:.25rem}"
                ".nc-flag,.nc-note{margin-bottom:1rem;font-size:.875rem;border-radius:.5rem}"
                ".nc-flag{background:rgba(250,202,43,.16);color:#ffe9a8;padding:.75rem 1rem}"
                ".nc-note{opacity:.75}"
                ".nc-flag summary,.nc-note summary{cursor:pointer;opacity:.8;margin-top:.25rem}"
                ".nc-head h3{padding:0 0 .25rem 0}.nc-head p{font-size:.875rem;opacity:.6}"
                "</style>")


def answer(where, text: str, prediction: predict.Prediction, image: np.ndarray,
           class_names: Sequence[str], verdict: str = "", true_label: int | None = None,
           header: str = "") -> None:
    """A network's answer as one HTML element (the page puts ANSWER_STYLE once): `header`
    (`heading_html`), the answer in large type with how sure it is (struck through when the
    picture looks like none of the classes) beside its saliency map over the picture, the
    `verdict` (`verdict_html`) and every class's probability as a bar. One element, not
    five: each is a message the server builds and sends for every drawing. `text` may be a
    class name someone typed: it is escaped, as are the class names."""
    doubt = " nc-doubt" if prediction.not_a_digit else ""
    heat = pixels_html(plots.saliency_overlay(image, prediction.saliency), 140,
                       "Saliency: pixels that moved the answer")
    reading = (f"<div class='nc-reading'><div><div class='nc-digit{doubt}'>"
               f"{html.escape(text)}</div><div class='nc-confidence'>"
               f"{prediction.confidence:.0%} sure</div></div>{heat}</div>")
    where.markdown(header + reading + verdict
                   + bars_html(prediction.probabilities, class_names, true_label),
                   unsafe_allow_html=True)


def verdict_html(prediction: predict.Prediction, name: str, headlines: tuple[str, str], why: str,
                 score: str = "score") -> str:
    """What a not-a-digit detector made of the picture, as HTML for `answer` (empty without a
    detector): its score beside the softmax's own claim for `name`, under `headlines[0]`
    when the picture looks like one of the classes and `headlines[1]`, in a warning box,
    when it is flagged; `why` one click away (a tooltip would not open on a phone)."""
    if prediction.not_digit_score is None:
        return ""
    flagged = prediction.not_a_digit
    kind = "class='nc-flag' role='alert'" if flagged else "class='nc-note'"  # as st.warning
    return (f"<div {kind}><b>{html.escape(headlines[flagged])}</b> {html.escape(score)} "
            f"<b>{prediction.not_digit_score:.1f}</b>, flagged above "
            f"<b>{prediction.not_digit_threshold:.1f}</b>; the softmax alone: "
            f"<b>{html.escape(name)}, {prediction.confidence:.1%} sure</b>."
            f"<details><summary>What is this score?</summary>{html.escape(why)}</details></div>")


def heading_html(title: str, record: str) -> str:
    """A network's name and record (how it was trained, how it scores), as HTML for `answer`
    or `heading`."""
    return (f"<div class='nc-head'><h3>{html.escape(title)}</h3>"
            f"<p>{html.escape(record)}</p></div>")


def heading(where, title: str, record: str) -> None:
    """A network's name and record alone, before there is anything to answer."""
    where.markdown(heading_html(title, record), unsafe_allow_html=True)


def pixels(where, image: np.ndarray, width: int, caption: str | None = None) -> None:
    """A small uint8 picture shown `width` px wide with square pixels."""
    where.markdown(pixels_html(image, width, caption), unsafe_allow_html=True)


def pixels_html(image: np.ndarray, width: int, caption: str | None = None) -> str:
    """A small uint8 picture inline as a PNG. The browser enlarges it with square pixels
    (ANSWER_STYLE), so the server encodes 784 pixels instead of 19,600, losslessly (a JPEG
    would smear them), and sends them with the page's message: no request for a file."""
    source = base64.b64encode(image_grid.png_bytes(image)).decode()
    text = html.escape(caption or "")
    return (f"<figure class='nc-pixels' style='width:{width}px'>"
            f"<img src='data:image/png;base64,{source}' alt='{text}'>"
            + (f"<figcaption>{text}</figcaption>" if caption else "") + "</figure>")


def bars_html(probabilities: np.ndarray, class_names: Sequence[str],
              true_label: int | None = None, height: int = 200) -> str:
    """Every class's probability as a bar, the answer highlighted and the class meant, when
    it differs, in orange. Plain HTML: it is drawn for every answer, and a Plotly chart cost
    the server several times more."""
    predicted = int(np.argmax(probabilities))
    bars = []
    for index, (p, name) in enumerate(zip(probabilities, class_names, strict=True)):
        kind = "nc-top" if index == predicted else "nc-meant" if index == true_label else ""
        name = html.escape(str(name))
        bars.append(f"<div class='nc-bar {kind}' title='{name}: {p:.2%}'><div class='nc-track'>"
                    f"<i style='height:{100 * p:.1f}%'></i><span style='bottom:{100 * p:.1f}%'>"
                    f"{f'{p:.0%}' if p >= 0.01 else ''}</span></div><b>{name}</b></div>")
    return f"<div class='nc-bars' style='height:{height}px'>{''.join(bars)}</div>"


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
