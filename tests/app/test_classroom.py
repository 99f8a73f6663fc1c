"""Classroom mode through the pages: a student watches but cannot control training, the code
makes them the instructor, and drawings sent from the Draw page meet the model on the
Classroom page."""

from __future__ import annotations

import threading

import pytest
from streamlit import config

from core import classroom, store
from core.models import zoo
from tests.app.conftest import CODE, open_page, text_of
from tests.drawings import canvas_state, digit_canvas
from ui import runtime


@pytest.fixture
def waiting_job():
    """A training job that runs until the test lets it go."""
    release = threading.Event()
    manager = runtime.job_manager()
    job = manager.submit("Training a demo model", lambda job: release.wait(30),
                         key="train:demo:mnist")
    yield job
    release.set()
    manager.wait(job, timeout=30)


def test_a_student_sees_training_but_cannot_control_it(use_trained, student, waiting_job):
    app = open_page("views/draw.py")
    assert "Student view" in text_of(app)
    stop = app.button(key=f"draw.job.stop.{waiting_job.id}")
    assert stop.disabled and "instructor" in stop.proto.help
    app.switch_page("views/lab.py").run()
    assert app.button(key="lab.start").disabled and app.button(key="lab.race").disabled
    app.switch_page("views/gan.py").run()
    assert app.button(key="gan.start").disabled


def test_the_instructor_code_gives_control(use_trained, student, waiting_job):
    app = open_page("views/draw.py")
    app.text_input(key="classroom.entered").input("wrong-code").run()
    assert "not the instructor code" in text_of(app)
    assert app.button(key=f"draw.job.stop.{waiting_job.id}").disabled
    app.text_input(key="classroom.entered").input(CODE.lower()).run()
    assert "You are the instructor" in text_of(app)
    app.button(key=f"draw.job.stop.{waiting_job.id}").click().run()
    assert waiting_job.stopping


def test_the_local_browser_is_the_instructor(use_trained, waiting_job):
    app = open_page("views/draw.py")
    assert "Student view" not in text_of(app)
    assert "Only this computer can open the app" in text_of(app)
    assert not app.button(key=f"draw.job.stop.{waiting_job.id}").disabled


def test_a_shared_server_says_who_can_reach_it(use_trained):
    config.set_option("server.address", "0.0.0.0")
    try:
        app = open_page("views/classroom.py")
    finally:
        config.set_option("server.address", "localhost")
    text = text_of(app)
    assert "Join at `http://" in text and "anyone who can reach this computer" in text


def test_drawings_sent_to_the_class_meet_the_model(nc_home, trained_home):
    (nc_home / "models").symlink_to(trained_home / "models", target_is_directory=True)
    app = open_page("views/classroom.py")
    assert "No class drawings yet" in text_of(app)
    app.switch_page("views/draw.py").run()
    for index, meant in ((0, 7), (1, 2), (2, 5)):  # MNIST test digits 7, 2, 1: the last is wrong
        app.session_state["draw.canvas.0"] = canvas_state(digit_canvas(index))
        app.session_state["draw.last_sent"] = 0.0  # long ago, as people send them
        app.run()
        app.toggle(key="draw.share").set_value(True).run()
        app.selectbox(key="draw.meant").set_value(meant).run()
        app.button(key="draw.send").click().run()
        assert not app.exception and "Sent." in text_of(app)
    app.button(key="draw.send").click().run()
    assert "wait a second" in text_of(app) and classroom.drawings_count() == 3
    app.switch_page("views/classroom.py").run()
    text = text_of(app)
    assert "**3 drawings**" in text and "**67%**" in text
    assert len(app.get("plotly_chart")) == 1
    captions = [image.proto.imgs[0].caption for image in app.get("image")]
    assert len(captions) == 1 and captions[0].startswith("meant 5, read 1 (")
    app.button(key="classroom.clear").click().run()
    assert "Clear every class drawing?" in text_of(app) and classroom.drawings_count() == 3
    app.button(key="classroom.clear.no").click().run()
    assert classroom.drawings_count() == 3 and "Clear every class drawing?" not in text_of(app)
    app.button(key="classroom.clear").click().run()
    app.button(key="classroom.clear.yes").click().run()
    assert classroom.drawings_count() == 0 and "No class drawings yet" in text_of(app)
    app.button(key="classroom.cleared.undo").click().run()
    assert classroom.drawings_count() == 3 and "**3 drawings**" in text_of(app)


def test_a_student_cannot_clear_the_class_drawings(nc_home, student):
    classroom.add_drawing(digit_canvas(0)[::10, ::10, 0] / 255.0, 7)
    app = open_page("views/classroom.py")
    assert app.button(key="classroom.clear").disabled and "**1 drawings**" not in text_of(app)


def test_a_student_cannot_change_versions_or_the_trash(nc_home, student):
    for accuracy in (0.97, 0.96):
        card = store.new_card("mlp", "mnist", "MLP", {}, test_accuracy=accuracy, test_loss=0.3,
                              train_seconds=1.0, epochs=1)
        store.save(zoo.build("mlp"), card)
    classroom.add_drawing(digit_canvas(0)[::10, ::10, 0] / 255.0, 7)
    classroom.clear_drawings()
    app = open_page()
    older = store.versions("mlp", "mnist")[0].version
    app.selectbox(key="home.versions.choice.mlp.mnist").set_value(older).run()
    assert app.button(key="home.versions.use").disabled
    assert next(b for b in app.button if b.label == "Put back").disabled
    assert app.button(key="home.trash.empty").disabled
    assert store.read_card("mlp", "mnist").test_accuracy == 0.97
