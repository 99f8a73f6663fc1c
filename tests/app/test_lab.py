"""The training lab page, through every control, with real (short) training jobs."""

from __future__ import annotations

import pytest

from core import store
from core.training import lab
from core.training.jobs import JobState
from tests.app.conftest import open_page, text_of
from ui import runtime

PAGE = "views/lab.py"


def button(app, label: str):
    return next(b for b in app.button if b.label == label)


def go_to(app, section: str):
    app.get("button_group")[0].set_value(section).run()
    assert not app.exception, app.exception
    return app


def finish_jobs(timeout: float = 180) -> None:
    manager = runtime.job_manager()
    for job in manager.active():
        assert manager.wait(job, timeout=timeout)


@pytest.fixture
def lab_page(nc_home):
    return open_page(PAGE)


def small_run(app, epochs: int = 1, samples: str = "2,000"):
    app.selectbox(key="lab.samples").set_value(samples)
    app.slider(key="lab.epochs").set_value(epochs).run()
    return app


def test_presets_fill_the_form_and_it_survives_other_sections(lab_page):
    app = lab_page
    app.selectbox(key="lab.preset").set_value("fast").run()
    assert app.select_slider(key="lab.filters").value == 16
    assert app.select_slider(key="lab.kernel").value == 5
    assert app.toggle(key="lab.cosine").value
    app.select_slider(key="lab.lr").set_value(0.01).run()
    go_to(app, "Fundamentals")
    go_to(app, "Train")
    assert app.select_slider(key="lab.lr").value == 0.01
    app.selectbox(key="lab.model").set_value("cnn_best").run()
    assert not [s for s in app.slider if s.key == "lab.blocks"]  # the builder is for custom
    assert "ours (Adam, cosine schedule" in text_of(app)
    app.selectbox(key="lab.dataset").set_value("cifar10").run()
    assert not app.exception


def test_a_run_trains_lives_and_is_compared_understood_and_exported(lab_page):
    app = small_run(lab_page)
    app.select_slider(key="lab.batch").set_value(64)
    app.selectbox(key="lab.activation").set_value("tanh")
    app.toggle(key="lab.augment").set_value(True).run()
    button(app, "Train").click().run()
    finish_jobs()
    app.run()
    assert "Run 1 finished: test accuracy" in text_of(app)
    assert len(app.get("plotly_chart")) == 2
    run = lab.runs()[0]
    assert run.config.batch_size == 64 and run.config.architecture.activation == "tanh"
    assert store.read_card("lab_1", "mnist").test_accuracy == pytest.approx(run.test_accuracy)
    go_to(app, "Compare runs")
    assert app.dataframe[0].value["run"].tolist() == [1]
    assert app.multiselect(key="lab.overlay").value == [1]
    go_to(app, "Understand & export")
    assert "test images right" in text_of(app)
    assert "Most common mistake" in text_of(app)
    assert len(app.get("imgs")) >= 0 and len(app.get("image")) == 24
    assert app.selectbox(key="lab.layer.1").options == ["conv_1", "conv_2", "dense", "logits"]
    app.selectbox(key="lab.layer.1").set_value("dense").run()
    assert [b.proto.label for b in app.get("download_button")] == [
        "Download the model (.keras)", "Download a script that trains it again (.py)"]
    go_to(app, "Compare runs")
    app.selectbox(key="lab.delete_choice").set_value(1)
    button(app, "Delete it and its model").click().run()
    assert "Delete run 1 and every version of its model?" in text_of(app)
    assert [r.id for r in lab.runs()] == [1]  # asked, not done yet
    button(app, "Yes").click().run()
    assert lab.runs() == [] and store.read_card("lab_1", "mnist") is None
    assert "No runs yet" in text_of(app) and "went to the trash" in text_of(app)
    button(app, "Undo").click().run()
    assert [r.id for r in lab.runs()] == [1] and store.read_card("lab_1", "mnist") is not None
    assert app.dataframe[0].value["run"].tolist() == [1]


def test_live_learning_rate_pause_resume_and_stop(lab_page):
    app = small_run(lab_page, epochs=30, samples="10,000")
    button(app, "Train").click().run()
    job = runtime.job_manager().jobs()[-1]
    run: lab.LabRun = job.live[0]
    while len(run.batches) < 3:
        job.check()
    app.run()
    app.select_slider(key=f"lab.live_lr.{run.id}").set_value(0.01).run()
    assert run.learning_rate == 0.01
    while run.batches[-1][-1] != pytest.approx(0.01):  # the next batch trains at the new rate
        job.check()
    button(app, "Pause").click().run()
    assert job.state is JobState.PAUSED
    app.run()
    button(app, "Resume").click().run()
    assert job.state is JobState.RUNNING
    button(app, "Stop").click().run()
    finish_jobs()
    assert run.state == "stopped" and run.test_accuracy is not None
    assert any(rate == pytest.approx(0.01) for *_, rate in run.batches)


def test_a_race_trains_each_optimizer_from_the_same_start(lab_page):
    app = small_run(lab_page)
    app.multiselect(key="lab.race_optimizers").set_value(["sgd", "adam"]).run()
    button(app, "Race").click().run()
    finish_jobs()
    app.run()
    runs = lab.runs()
    assert [r.config.optimizer for r in runs] == ["sgd", "adam"]
    assert {r.race for r in runs} == {runs[0].id}
    assert [r.config.learning_rate for r in runs] == [0.05, 0.001]
    assert len(app.get("plotly_chart")) == 2  # the race's overlays
    go_to(app, "Compare runs")
    assert app.multiselect(key="lab.overlay").value == [1, 2]


def test_the_data_section_shows_every_class_and_the_counts(lab_page):
    app = go_to(lab_page, "Data")
    assert len(app.get("image")) == 10
    before = [image.proto.imgs[0].url for image in app.get("image")]
    button(app, "Other images").click().run()
    assert [image.proto.imgs[0].url for image in app.get("image")] != before
    app.slider(key="lab.data.per_class").set_value(4).run()
    assert "rarest: 5 (5,421)" in text_of(app)
    app.selectbox(key="lab.view_dataset").set_value("fashion_mnist").run()
    assert "6,000" in text_of(app)


def test_the_fundamentals_respond_to_every_control(lab_page):
    app = go_to(lab_page, "Fundamentals")
    app.get("button_group")[1].set_value("tanh").run()
    button(app, "Time them on this machine").click().run()
    table = app.dataframe[0].value
    assert list(table["function"]) == ["linear", "sigmoid", "tanh", "relu"]
    app.slider(key="lab.fun.gd_rate").set_value(1.05).run()
    assert "diverges" in text_of(app)
    app.slider(key="lab.fun.gd_rate").set_value(0.3).run()
    assert "x = 3" in text_of(app)
    app.selectbox(key="lab.fun.surface").set_value("Rosenbrock's banana").run()
    app.multiselect(key="lab.fun.opts").set_value(["Adam"]).run()
    app.select_slider(key="lab.fun.rate.Adam").set_value(0.02).run()
    app.slider(key="lab.fun.opt_steps").set_value(200).run()
    assert app.dataframe[-1].value["optimizer"].tolist() == ["Adam"]
    assert not app.exception


def test_the_lstm_trains_live_and_reports_rmse(lab_page):
    app = go_to(lab_page, "Sequences (LSTM)")
    app.slider(key="lab.lstm.epochs").set_value(10)
    app.slider(key="lab.lstm.look_back").set_value(5)
    app.select_slider(key="lab.lstm.hidden").set_value(8)
    app.toggle(key="lab.lstm.stateful").set_value(True)
    app.toggle(key="lab.lstm.log").set_value(False).run()
    button(app, "Train").click().run()
    finish_jobs()
    app.run()
    table = app.dataframe[0].value
    assert table["epochs"].tolist() == [10, 500]
    assert table["test RMSE"].tolist()[1] == 48.75
    assert table["test RMSE"].tolist()[0] > 0


def test_calibration_and_robustness_of_stored_classifiers(use_trained):
    app = open_page(PAGE)
    go_to(app, "Understand & export")
    app.selectbox(key="lab.understand.mnist").set_value("cnn_report").run()
    metrics = {m.label: m.value for m in app.metric}
    before = float(metrics["Expected calibration error, as trained"].rstrip("%"))
    after_label = next(label for label in metrics if label.startswith("After temperature"))
    # Fitted on held-out digits, the temperature need not lower the test set's error; it must
    # not raise it beyond what a 10-bin estimate on 10,000 digits wobbles by (about 0.2 pts).
    assert float(metrics[after_label].rstrip("%")) <= before + 0.3
    answered = float(metrics["Answered"].rstrip("%"))
    app.slider(key="lab.confidence_threshold").set_value(0.99).run()
    assert float(next(m.value for m in app.metric if m.label == "Answered").rstrip("%")) < answered
    assert len(app.get("plotly_chart")) == 4  # confusion, per class, reliability, coverage
    go_to(app, "Robustness")
    assert not app.exception, app.exception
    assert app.multiselect(key="lab.robust.models").value == ["mlp", "cnn_report"]
    assert "loses most to" in text_of(app)
    app.slider(key="lab.robust.strength").set_value(1.0).run()
    app.selectbox(key="lab.robust.kind").set_value("thicken").run()
    assert not app.exception, app.exception
    assert "thicker strokes at 1.0" in text_of(app)
    assert "mistakes mlp was surest of" in text_of(app)
