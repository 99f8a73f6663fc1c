"""Line and bar charts as SVG text, for the charts that redraw every few seconds while a job
trains. A browser paints one of these in about a millisecond; a Plotly chart costs it about
200 ms each time (the GAN studio's four live Plotly charts, redrawn every 6 s, kept headless
Chromium busy for a tenth of one of two cores), CPU that training would otherwise get. The
finished run's charts stay Plotly, with hover and zoom."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

from core.figures.plots import GRID, MUTED, PALETTE, TEXT

FONT_PX = 15
LEFT, RIGHT, TOP, BOTTOM = 64, 14, 34, 46  # room for the tick labels, the legend and titles
LEGEND_ROW = 24


@dataclass(frozen=True)
class Trace:
    """One line: y over x (None is a gap), drawn in `colour` (the palette's next if None)."""

    name: str
    x: Sequence[float]
    y: Sequence[float | None]
    colour: str | None = None
    width: float = 3.0
    opacity: float = 1.0
    markers: bool = False
    in_legend: bool = True


def lines(traces: list[Trace], x_title: str, y_title: str,
          y_range: tuple[float, float] | None = None, log_y: bool = False,
          percent_y: bool = False, width: int = 640, height: int = 260) -> str:
    """Line chart of traces over a shared x axis; a log y axis for losses."""
    ys = [np.array([np.nan if v is None else v for v in t.y], dtype=float) for t in traces]
    if log_y:
        ys = [np.log10(np.where(y > 0, y, np.nan)) for y in ys]
    x_low, x_high = _span(np.concatenate([np.asarray(t.x, dtype=float) for t in traces])
                          if traces else [])
    if y_range:
        y_low, y_high = np.log10(y_range) if log_y else y_range
    else:
        y_low, y_high = _span(np.concatenate(ys) if ys else [])
    colours = [t.colour or PALETTE[i % len(PALETTE)] for i, t in enumerate(traces)]
    entries = [(t.name, c) for t, c in zip(traces, colours, strict=True) if t.in_legend]
    legend, rows = _legend(entries if len(entries) > 1 else [], width)
    frame = _Frame(width, height + (rows - 1) * LEGEND_ROW, (x_low, x_high), (y_low, y_high),
                   top=TOP + (rows - 1) * LEGEND_ROW)
    y_ticks = _log_ticks(y_low, y_high) if log_y else _ticks(y_low, y_high)
    parts = [legend, frame.axes(x_title, y_title, _ticks(x_low, x_high), y_ticks,
                                y_label=_power_label if log_y else _percent if percent_y
                                else _label)]
    for trace, y, colour in zip(traces, ys, colours, strict=True):
        style = (f'fill="none" stroke="{colour}" stroke-width="{trace.width:g}" '
                 f'stroke-opacity="{trace.opacity:g}" stroke-linejoin="round"')
        for run in _unbroken(np.asarray(trace.x, dtype=float), y):
            points = [(frame.x(a), frame.y(b)) for a, b in run]
            parts.append(f'<polyline points="{_points(points)}" {style}/>')
            if trace.markers:
                parts.extend(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="{trace.width + 2:g}" '
                             f'fill="{colour}"/>' for a, b in points)
    return frame.svg(parts)


def series_lines(x: Sequence[float], series: dict[str, Sequence[float | None]], x_title: str,
                 y_title: str, **options) -> str:
    """`lines` for several named series over the same x, in the palette's colours."""
    return lines([Trace(name, x, y) for name, y in series.items()], x_title, y_title, **options)


def bars(values: list[float], labels: list[str], y_title: str, x_title: str = "",
         line: float | None = None, line_label: str = "", percent: bool = True,
         width: int = 480, height: int = 260) -> str:
    """Vertical bars with their values written above, and an optional dashed reference line."""
    top = max(max(values, default=0.0) * 1.2, (line or 0.0) * 1.3, 1e-9)
    frame = _Frame(width, height, (-0.5, len(values) - 0.5), (0.0, top))
    label = _percent if percent else _label
    parts = [frame.axes(x_title, y_title, [], _ticks(0.0, top), label)]
    slot = frame.plot_width / max(1, len(values))
    for index, (value, name) in enumerate(zip(values, labels, strict=True)):
        left, y = frame.x(index) - slot * 0.35, frame.y(value)
        parts.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{frame.y(0) - y:.1f}" fill="{PALETTE[0]}"/>')
        parts.append(_text(frame.x(index), y - 5, label(value), "middle", size=FONT_PX - 3))
        parts.append(_text(frame.x(index), frame.y(0) + 18, name, "middle"))
    if line is not None:
        y = frame.y(line)
        dashes = f'stroke="{MUTED}" stroke-width="2" stroke-dasharray="6 4"'
        parts.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'{dashes}/>')
        if line_label:  # as a legend entry: above the plot, where no bar can hide it
            parts.append(f'<line x1="{LEFT}" x2="{LEFT + 26}" y1="14" y2="14" {dashes}/>')
            parts.append(_text(LEFT + 32, 19, line_label, "start"))
    return frame.svg(parts)


class _Frame:
    """The plotting area inside the margins, and data-to-pixel mapping."""

    def __init__(self, width: int, height: int, x_span: tuple[float, float],
                 y_span: tuple[float, float], top: int = TOP) -> None:
        self.width, self.height, self.top = width, height, top
        self.x_span, self.y_span = x_span, y_span
        self.plot_width = width - LEFT - RIGHT
        self.plot_height = height - top - BOTTOM

    def x(self, value: float) -> float:
        low, high = self.x_span
        return LEFT + (value - low) / (high - low) * self.plot_width

    def y(self, value: float) -> float:
        low, high = self.y_span
        return self.top + (1.0 - (value - low) / (high - low)) * self.plot_height

    def axes(self, x_title: str, y_title: str, x_ticks: list[float], y_ticks: list[float],
             y_label: Callable[[float], str] | None = None) -> str:
        parts = []
        for tick in y_ticks:
            y = self.y(tick)
            parts.append(f'<line x1="{LEFT}" x2="{self.width - RIGHT}" y1="{y:.1f}" '
                         f'y2="{y:.1f}" stroke="{GRID}"/>')
            parts.append(_text(LEFT - 8, y + 5, (y_label or _label)(tick), "end"))
        for tick in x_ticks:
            x = self.x(tick)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.top}" '
                         f'y2="{self.height - BOTTOM}" stroke="{GRID}"/>')
            parts.append(_text(x, self.height - BOTTOM + 20, _label(tick), "middle"))
        parts.append(_text(LEFT + self.plot_width / 2, self.height - 6, x_title, "middle"))
        middle = self.top + self.plot_height / 2
        parts.append(f'<text x="16" y="{middle:.1f}" fill="{TEXT}" font-size="{FONT_PX}" '
                     f'text-anchor="middle" transform="rotate(-90 16 {middle:.1f})">'
                     f'{escape(y_title)}</text>')
        return "".join(parts)

    def svg(self, parts: list[str]) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} '
                f'{self.height}" width="{self.width}" height="{self.height}" '
                f'font-family="sans-serif">{"".join(parts)}</svg>')


def _legend(entries: list[tuple[str, str]], width: int) -> tuple[str, int]:
    """Coloured line samples and names across the top, wrapped into rows; the SVG and the
    number of rows (at least 1: the room is kept either way)."""
    parts, x, row = [], LEFT, 0
    for name, colour in entries:
        entry = 28 + int(len(name) * FONT_PX * 0.55) + 24
        if x > LEFT and x + entry > width - RIGHT:
            x, row = LEFT, row + 1
        y = 14 + row * LEGEND_ROW
        parts.append(f'<line x1="{x}" x2="{x + 22}" y1="{y}" y2="{y}" stroke="{colour}" '
                     'stroke-width="3"/>')
        parts.append(_text(x + 28, y + 5, name, "start"))
        x += entry
    return "".join(parts), row + 1


def _text(x: float, y: float, text: str, anchor: str, size: int = FONT_PX) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" fill="{TEXT}" font-size="{size}" '
            f'text-anchor="{anchor}">{escape(text)}</text>')


def _span(values: np.ndarray | list) -> tuple[float, float]:
    """The finite range of values, widened when it is a single point (or empty)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if high - low < 1e-12:
        return low - 0.5, high + 0.5
    return low, high


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) inside [low, high]."""
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = power * next(m for limit, m in ((1.5, 1), (3, 2), (7, 5), (math.inf, 10))
                        if raw / power < limit)
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + k * step, 12) for k in range(count + 2)
            if first + k * step <= high + 1e-9 * step]


def _label(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _power_label(exponent: float) -> str:
    """A tick on a log axis, given as its power of ten."""
    return _label(float(f"{10 ** exponent:.3g}"))


def _log_ticks(low: float, high: float) -> list[float]:
    """Exponents of the powers of ten (and 2x, 5x where there is room) inside [low, high]."""
    decades = range(math.floor(low), math.ceil(high) + 1)
    steps = (1,) if high - low > 3 else (1, 2, 5)
    ticks = [d + math.log10(m) for d in decades for m in steps]
    return [t for t in ticks if low - 1e-9 <= t <= high + 1e-9]


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in points)


def _unbroken(x: np.ndarray, y: np.ndarray) -> list[list[tuple[float, float]]]:
    """Split a series into runs of finite values (a gap where a value is missing)."""
    runs, current = [], []
    for a, b in zip(x, y, strict=True):
        if np.isfinite(b):
            current.append((a, b))
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs
