"""The Inside the CNN page, through each input source and each control."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.data import datasets, preprocess
from core.scratch import numpy_cnn
from core.training import numpy_cnn_run
from core.training.jobs import JobState
from tests.app.conftest import open_page, text_of
from tests.drawings import digit_canvas, png_bytes
from ui import runtime

PAGE = "views/inside.py"


@pytest.fixture
def inside(use_trained):
    return open_page(PAGE)


@pytest.fixture
def with_drawing(inside):
    """The page after a seven was drawn on the Draw page (shared through session state)."""
    inside.session_state["canvas.image"] = preprocess.from_canvas(digit_canvas(0))
    inside.run()
    assert not inside.exception
    return inside


def headings(app) -> list[str]:
    return [md.value[6:] for md in app.markdown if md.value.startswith("##### ")]


def charts(app) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def test_without_a_drawing_the_page_says_where_to_get_one(inside):
    assert "Nothing drawn yet" in text_of(inside)
    assert headings(inside) == []
    assert "written out by hand" in text_of(inside)  # the NumPy CNN needs no drawing


def test_the_shared_drawing_gets_every_layer_as_a_grid(with_drawing):
    text = text_of(with_drawing)
    assert "reads this as **7**" in text
    assert headings(with_drawing) == ["conv_32 · 26 × 26 × 32", "pool_1 · 13 × 13 × 32",
                                      "conv_64 · 11 × 11 × 64", "pool_2 · 5 × 5 × 64",
                                      "conv_128 · 3 × 3 × 128"]
    stats = with_drawing.dataframe[0].value
    assert list(stats["layer"]) == ["conv_32", "pool_1", "conv_64", "pool_2", "conv_128"]
    assert all(0 <= float(z.rstrip("%")) <= 100 for z in stats["zeros"])
    assert "Learned kernels of conv_32" in text


def test_looking_closer_at_another_layer_and_map(with_drawing):
    with_drawing.selectbox(key="inside.map_layer").set_value("conv_64").run()
    with_drawing.slider(key="inside.map.conv_64").set_value(5).run()
    assert not with_drawing.exception
    assert "Map 5 of 64" in text_of(with_drawing)
    assert any(chart["layout"]["title"]["text"] == "conv_64, map 5"
               for chart in charts(with_drawing) if "title" in chart["layout"])


def test_the_convolution_arithmetic_matches_keras_wherever_the_window_is(with_drawing):
    for f, i, j in [(0, 0, 0), (7, 12, 13), (31, 25, 25)]:
        with_drawing.slider(key="inside.filter").set_value(f).run()
        with_drawing.slider(key="inside.conv.i").set_value(i).run()
        with_drawing.slider(key="inside.conv.j").set_value(j).run()
        text = text_of(with_drawing)
        assert f"Keras' feature map at ({i}, {j})" in text and "✓ the same" in text
        assert f"Bias of filter {f}" in text


def test_the_pooling_window_and_the_animations(with_drawing):
    with_drawing.slider(key="inside.pool_map").set_value(3).run()
    with_drawing.slider(key="inside.pool.i").set_value(4).run()
    assert "Keras' pool_1 at (4, " in text_of(with_drawing)
    assert not any(chart.get("frames") for chart in charts(with_drawing))
    with_drawing.toggle(key="inside.conv_animate").set_value(True).run()
    with_drawing.toggle(key="inside.pool_animate").set_value(True).run()
    animated = [chart for chart in charts(with_drawing) if chart.get("frames")]
    assert len(animated) == 2
    assert len(animated[0]["frames"]) > 100  # the window visits the whole 26x26 map


def test_own_kernel_presets_numbers_stride_and_padding(with_drawing):
    assert with_drawing.session_state["inside.k.1.1"] == 8  # the default edge kernel
    with_drawing.selectbox(key="inside.preset").set_value("Sobel x (vertical edges)").run()
    assert with_drawing.session_state["inside.k.1.2"] == 2
    with_drawing.number_input(key="inside.k.0.0").set_value(3.0).run()
    assert with_drawing.session_state["inside.preset"] == "Custom"
    with_drawing.segmented_control(key="inside.stride").set_value(2).run()
    with_drawing.segmented_control(key="inside.padding").set_value("same").run()
    assert not with_drawing.exception
    assert "⌊(28 + 1 − 3) / 2⌋ + 1 = 14" in text_of(with_drawing)
    captions = [image.proto.imgs[0].caption for image in with_drawing.get("image")]
    assert any(caption.startswith("Output 14 × 14") for caption in captions)


def test_numpy_gives_the_same_logits_as_keras(with_drawing):
    metrics = {metric.label: metric.value for metric in with_drawing.metric}
    assert float(metrics["Largest absolute difference"]) < 1e-4
    assert metrics["NumPy's answer"] == "7"


def test_an_uploaded_picture_and_a_broken_one(inside):
    inside.segmented_control(key="inside.source").set_value("Upload").run()
    paper = np.ascontiguousarray(255 - digit_canvas(1)[..., :3])  # a dark "2" on white
    inside.file_uploader(key="inside.upload").set_value(("two.png", png_bytes(paper),
                                                         "image/png")).run()
    assert "reads this as **2**" in text_of(inside) and len(headings(inside)) == 5
    inside.file_uploader(key="inside.upload").set_value(("x.png", b"\x89PNG broken",
                                                         "image/png")).run()
    assert not inside.exception and headings(inside) == []


def test_a_test_sample_is_judged_against_its_label(inside):
    inside.segmented_control(key="inside.source").set_value("Test sample").run()
    index = inside.session_state["inside.sample_index"]
    label = int(datasets.load("mnist").y_test[index])
    assert f"true label **{label}**" in text_of(inside) and len(headings(inside)) == 5
    inside.button(key="inside.sample").click().run()
    assert not inside.exception


# nc_home after with_drawing: the page keeps the drawing, NumPy runs go to an empty store.
def test_gradient_check_and_training_the_numpy_cnn(with_drawing, nc_home):
    with_drawing.button(key="inside.gradient_check").click().run()
    assert "largest relative error" in text_of(with_drawing) and "✓" in text_of(with_drawing)
    assert "Not trained yet" in text_of(with_drawing)
    with_drawing.button(key="inside.numpy_train").click().run()
    job = runtime.job_manager().find(numpy_cnn_run.JOB_KEY)
    try:
        assert job is not None and job.state in (JobState.QUEUED, JobState.RUNNING)
        assert with_drawing.button(key="inside.numpy_train").disabled
        with_drawing.run()
        assert any("CNN in plain NumPy" in bar.proto.text for bar in with_drawing.get("progress"))
    finally:
        job.stop()
        runtime.job_manager().wait(job, timeout=30)
    assert job.state is JobState.STOPPED


def test_a_finished_numpy_run_shows_its_curve_and_reads_the_drawing(with_drawing, nc_home):
    network, run = numpy_cnn_run.train(numpy_cnn.NumpyCNNConfig(cycles=3, eval_samples=300))
    numpy_cnn_run.save_run(network, run)
    with_drawing.run()
    text = text_of(with_drawing)
    assert f"{run.test_accuracy:.2%}" in text and "Your digit through the NumPy CNN" in text


def test_without_a_trained_cnn_the_page_still_helps(nc_home):
    app = open_page(PAGE)
    app.segmented_control(key="inside.source").set_value("Test sample").run()
    assert not app.exception
    assert "No CNN is trained yet" in text_of(app)
    assert any(image.proto.imgs[0].caption.startswith("Output 26 × 26")
               for image in app.get("image"))
