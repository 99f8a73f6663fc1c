"""The light SVG charts drawn while a job trains: valid SVG, data placed inside the plot,
gaps, log axes, round ticks, a legend that wraps."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

from core.figures import svg_chart
from core.figures.svg_chart import Trace

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def polylines(root: ElementTree.Element) -> list[list[tuple[float, float]]]:
    return [[tuple(map(float, p.split(","))) for p in line.get("points").split()]
            for line in root.iter(f"{SVG}polyline")]


def texts(root: ElementTree.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_every_point_lands_inside_the_plot_area_in_order():
    x = list(range(0, 300, 3))
    y = np.sin(np.arange(100) / 10).tolist()
    root = parsed(svg_chart.series_lines(x, {"sine": y}, "step", "value", width=640,
                                         height=260))
    [line] = polylines(root)
    xs, ys = np.array(line).T
    assert len(line) == 100
    assert np.all(np.diff(xs) > 0)  # x increases left to right
    assert xs.min() == pytest.approx(svg_chart.LEFT)
    assert xs.max() == pytest.approx(640 - svg_chart.RIGHT)
    assert ys.min() >= svg_chart.TOP - 1e-6 and ys.max() <= 260 - svg_chart.BOTTOM + 1e-6
    assert ys[np.argmax(y)] == pytest.approx(ys.min())  # the highest value is drawn highest
    assert "step" in texts(root) and "value" in texts(root)


def test_a_missing_value_breaks_the_line_and_a_fixed_range_is_kept():
    root = parsed(svg_chart.series_lines([1, 2, 3, 4, 5], {"a": [0.1, 0.2, None, 0.4, 0.5],
                                                          "b": [0.5, 0.5, 0.5, 0.5, 0.5]},
                                         "x", "share", y_range=(0, 1), percent_y=True))
    a_runs = polylines(root)[:2]
    assert [len(run) for run in a_runs] == [2, 2]
    assert {"0%", "20%", "100%"} <= set(texts(root))
    assert {"a", "b"} <= set(texts(root))  # two series: a legend


def test_ticks_are_round_and_inside_the_range():
    assert svg_chart._ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert svg_chart._ticks(3.0, 2990.0) == [500.0, 1000.0, 1500.0, 2000.0, 2500.0]
    assert svg_chart._ticks(-0.37, 0.41) == [-0.2, 0.0, 0.2, 0.4]


def test_a_log_axis_labels_powers_of_ten_and_skips_non_positive_values():
    root = parsed(svg_chart.lines([Trace("loss", [1, 2, 3, 4], [2.0, 0.2, 0.0, 0.02])],
                                  "epoch", "loss", log_y=True))
    assert {"0.02", "0.1", "1", "2"} <= set(texts(root))
    assert [len(run) for run in polylines(root)] == [2, 1]  # 0 has no logarithm: a gap


def test_markers_opacity_and_a_trace_left_out_of_the_legend():
    root = parsed(svg_chart.lines([Trace("each batch", [0, 1], [1, 2], "#123456", width=1,
                                         opacity=0.25, in_legend=False),
                                   Trace("test", [1, 2], [2, 3], markers=True)],
                                  "epoch", "loss"))
    assert len(list(root.iter(f"{SVG}circle"))) == 2
    faint = next(root.iter(f"{SVG}polyline"))
    assert faint.get("stroke") == "#123456" and faint.get("stroke-opacity") == "0.25"
    assert "each batch" not in texts(root)  # one entry left: no legend at all
    assert "test" not in texts(root)


def test_a_long_legend_wraps_and_the_chart_grows_to_keep_the_plot_height():
    names = [f"{i}: CNN 32-64 k3 BN · adam lr 0.001, batch 128" for i in range(3)]
    short = parsed(svg_chart.series_lines([0, 1], {"a": [0, 1], "b": [1, 0]}, "x", "y"))
    long = parsed(svg_chart.series_lines([0, 1], {n: [0, 1] for n in names}, "x", "y"))
    assert float(long.get("height")) == float(short.get("height")) + 2 * svg_chart.LEGEND_ROW
    assert set(names) <= set(texts(long))


def test_bars_write_their_shares_and_the_fair_share_line():
    shares = [0.05, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    root = parsed(svg_chart.bars(shares, [str(i) for i in range(10)], "share of samples",
                                 line=0.1, line_label="fair share"))
    assert len(list(root.iter(f"{SVG}rect"))) == 10
    assert {"5%", "15%", "fair share", "0", "9"} <= set(texts(root))


def test_names_are_escaped():
    root = parsed(svg_chart.series_lines([0, 1], {"a<b & c": [0, 1], "d": [1, 1]}, "x", "y"))
    assert "a<b & c" in texts(root)


def test_empty_and_flat_data_still_draw():
    assert parsed(svg_chart.lines([], "x", "y")) is not None
    [line] = polylines(parsed(svg_chart.series_lines([5], {"one": [0.5]}, "x", "y")))
    assert len(line) == 1
