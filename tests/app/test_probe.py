"""The Probe page: every tab and control, on a copy of the session's trained store (the page
can keep an operated network, which must not leak into other tests)."""

from __future__ import annotations

import pytest

from core.data import preprocess
from tests.app.conftest import open_page, text_of
from tests.drawings import digit_canvas
from ui import runtime

PAGE = "views/probe.py"


@pytest.fixture
def probe(own_trained):
    """The page after a seven was drawn, the CNN chosen, on a copy of the trained store."""
    app = open_page(PAGE)
    app.session_state["canvas.image"] = preprocess.from_canvas(digit_canvas(0))
    app.selectbox(key="probe.network").set_value("cnn_report").run()
    assert not app.exception, app.exception
    return app


def open_tab(app, name: str):
    app.session_state["probe.tab"] = name
    app.run()
    assert not app.exception, app.exception
    return app


def finish_jobs(app):
    """Let the page's background jobs end, then rerun it."""
    manager = runtime.job_manager()
    for job in manager.active():
        assert manager.wait(job, timeout=180)
    app.run()
    assert not app.exception, app.exception
    return app


def test_without_a_drawing_the_page_says_what_to_do(use_trained):
    app = open_page(PAGE)
    assert "Nothing drawn yet" in text_of(app)
    assert not app.tabs


def test_fool_it_untargeted_targeted_smallest_and_every_network(probe):
    text = text_of(probe)
    assert "Reads **7**" in text and "Original: reads **7**" in text
    probe.radio(key="probe.method").set_value("FGSM (one step)")
    probe.slider(key="probe.epsilon").set_value(0.3)
    probe.selectbox(key="probe.goal").set_value("3").run()
    assert "Attacked: reads **3**" in text_of(probe) and "fooled ✓" in text_of(probe)
    probe.radio(key="probe.method").set_value("PGD (20 steps)").run()
    probe.button(key="probe.search").click().run()
    assert "PGD flips it at epsilon" in text_of(probe)
    probe.button(key="probe.compare").click().run()
    networks = list(probe.dataframe[0].value["Network"])
    # Every stored classifier: the session's two, and a lab run if a browser test kept one.
    assert {"Report CNN 32-64-128", "MLP 784-256-10"} <= set(networks)
    assert "after **0** changed pixels" in text_of(probe)  # the by-hand canvas, untouched


def test_ask_it_why_shows_three_maps_and_the_nearest_training_digits(probe):
    open_tab(probe, "Ask it why")
    text = text_of(probe)
    assert "**Grad-CAM** on `conv_128`" in text and "**Occlusion**" in text
    probe.selectbox(key="probe.why_class").set_value("1").run()
    assert "drops P(1)" in text_of(probe)
    finish_jobs(probe)
    assert text_of(probe).count("· similarity") == 5


def test_what_it_has_learnt_patches_synthesised_filters_and_the_map(probe):
    open_tab(probe, "What it has learnt")
    finish_jobs(probe)
    finish_jobs(probe)  # the synthesised filters start once the patches are there
    assert "Receptive field 3 × 3" in text_of(probe)
    probe.selectbox(key="probe.stage").set_value("conv_64").run()
    probe.slider(key="probe.filter").set_value(5).run()  # a new slider: 64 filters
    finish_jobs(probe)
    assert "Receptive field 8 × 8" in text_of(probe) and "Filter 5, synthesised" in text_of(probe)
    probe.select_slider(key="probe.map_layer").set_value("input (pixels)").run()
    assert "✕ marks your drawing (projected" in text_of(probe)
    probe.session_state["probe.map_method"] = "t-SNE"
    probe.run()  # starts the job
    finish_jobs(probe)
    assert "placed among its 10 nearest digits" in text_of(probe)


def test_operate_switch_off_scale_prune_curve_and_keep(probe):
    open_tab(probe, "Operate on it")
    assert "(unchanged)" in text_of(probe)
    probe.selectbox(key="probe.op_layer").set_value("conv_32")
    probe.slider(key="probe.op_count").set_value(32).run()
    assert "32 of conv_32 off" in text_of(probe)
    accuracy = probe.metric[0]
    assert float(accuracy.value.rstrip("%")) < 30
    probe.slider(key="probe.op_count").set_value(0)
    probe.multiselect(key="probe.op_ticked.conv_32").set_value([0, 1])
    probe.slider(key="probe.op_scale").set_value(0.5)
    probe.slider(key="probe.op_prune").set_value(0.5).run()
    assert "2 of conv_32 off, conv_32 × 0.5, 50% of weights pruned" in text_of(probe)
    assert "weights are zero" in text_of(probe)
    probe.button(key="probe.curve").click().run()
    finish_jobs(probe)
    assert probe.get("plotly_chart")
    probe.text_input(key="probe.keep_name").set_value("cnn_best")
    probe.button(key="probe.keep").click().run()
    assert "zoo model's name" in text_of(probe)
    probe.text_input(key="probe.keep_name").set_value("cnn_report_operated")
    probe.button(key="probe.keep").click().run()
    assert "Kept as cnn_report_operated" in text_of(probe)
    assert any("(cnn_report_operated)" in name
               for name in probe.selectbox(key="probe.network").options)
