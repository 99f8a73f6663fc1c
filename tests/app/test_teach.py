"""The Teach page through its controls: naming classes, drawing and labelling examples, the
gallery, export and clearing, training both ways, reading a new drawing, keeping the
network; and a student who may draw but not train."""

from __future__ import annotations

import io
import re

import numpy as np

from core import store
from core.data import pen, symbol_pool, symbols
from core.training import teach
from tests.app.conftest import open_page, text_of
from tests.drawings import canvas_rgba, canvas_state
from ui import runtime

PAGE = "views/teach.py"


def drawn(name: str, seed: int = 0) -> dict:
    """A symbol as the canvas sends it."""
    gray = pen.render(symbols.STROKES[name], np.random.default_rng(seed))
    return canvas_state(canvas_rgba((gray * 255).astype(np.uint8)))


def test_the_instructor_names_classes_and_the_class_draws_examples(use_teach_home):
    app = open_page(PAGE)
    assert app.text_input(key="teach.names").value == ", ".join(symbol_pool.DEFAULT_CLASSES)
    app.selectbox(key="teach.preset").set_value("Letters").run()
    assert app.text_input(key="teach.names").value == "A, B, C"  # the field follows the preset
    app.text_input(key="teach.names").input("A, A").run()
    app.button(key="teach.set_classes").click().run()
    assert "named twice" in text_of(app) and symbol_pool.classes() == symbol_pool.DEFAULT_CLASSES
    app.text_input(key="teach.names").input("L, T, V").run()
    app.button(key="teach.set_classes").click().run()
    assert symbol_pool.classes() == ("L", "T", "V")
    assert app.button(key="teach.add.0").disabled  # nothing drawn yet
    app.session_state["teach.draw.canvas.0"] = drawn("T")
    app.run()
    app.button(key="teach.add.1").click().run()
    assert not app.exception and symbol_pool.read().labels.tolist() == [1]
    assert app.session_state["teach.draw.clears"] == 1  # a fresh canvas for the next one
    app.button(key="teach.fill").click().run()
    assert symbol_pool.read().counts() == [10, 11, 10]
    assert [tab.label for tab in app.tabs] == ["L (10)", "T (11)", "V (10)"]
    # T's tab numbers its 11 examples in the order they came: the hand-drawn one is 1.
    pool = symbol_pool.read()
    drawn_t, newest_t = pool.ids[0], pool.ids[int(np.flatnonzero(pool.labels == 1)[-1])]
    assert app.button_group(key="teach.pick.1").options[:2] == ["11", "10"]  # newest first
    assert app.button(key="teach.delete.1").disabled  # nothing picked yet
    app.button_group(key="teach.pick.1").set_value([1, 11]).run()
    app.button(key="teach.delete.1").click().run()
    assert symbol_pool.count() == 29 and not {drawn_t, newest_t} & set(symbol_pool.read().ids)
    assert [tab.label for tab in app.tabs] == ["L (10)", "T (9)", "V (10)"]
    assert app.button_group(key="teach.pick.1").value == []
    exported = app.get("download_button")[0]
    assert exported.proto.label.startswith("Export")
    app.button(key="teach.clear").click().run()
    app.button(key="teach.clear.yes").click().run()
    assert symbol_pool.count() == 0 and "No examples yet" in text_of(app)


def test_training_both_ways_then_reading_and_keeping(use_teach_home):
    symbol_pool.clear()
    symbol_pool.set_classes(("+", "×", "="))
    app = open_page(PAGE)
    app.button(key="teach.train").click().run()
    assert "at least two examples" in text_of(app)  # an empty pool cannot train
    app.button(key="teach.fill").click().run()
    app.slider(key="teach.seconds").set_value(2).run()
    app.select_slider(key="teach.per_class").set_value(5).run()
    app.button(key="teach.train").click().run()
    job = runtime.job_manager().find("teach.train")
    assert runtime.job_manager().wait(job, timeout=120) and job.error is None
    app.run()
    assert not app.exception
    assert "Transfer from cnn_best" in text_of(app) and "15 examples (5, 5, 5 per class)" in \
        text_of(app)
    app.session_state["teach.use.canvas.0"] = drawn("×", seed=3)
    app.run()
    answers = [match.group(1) for md in app.markdown
               if (match := re.search(r"class='nc-digit[^']*'>([^<]*)<", md.value))]
    assert answers and answers[0] in ("+", "×", "=")
    assert app.get("plotly_chart")  # the probabilities, and the finished curves
    app.text_input(key="teach.keep.name").input("ops_kept").run()
    app.button(key="teach.keep.save").click().run()
    assert "Kept as **ops_kept**" in text_of(app)
    card = store.read_card("ops_kept", teach.DATASET)
    assert card.metrics["classes"] == ["+", "×", "="] and card.metrics["held_out"] == 6
    network = next(box for box in app.selectbox if box.key.startswith("teach.use.network"))
    network.set_value(f"{card.title} (ops_kept)").run()
    assert not app.exception
    app.switch_page("views/lab.py").run()  # the lab's Understand measures it like any other
    app.segmented_control(key="lab.section").set_value("Understand & export").run()
    app.selectbox(key="lab.view_dataset").set_value(teach.DATASET).run()
    app.selectbox(key=f"lab.understand.{teach.DATASET}").set_value("ops_kept").run()
    # 30 examples, 15 learnt: the other 15 (held out, or beyond 5 per class) measure it.
    assert "of 15 examples it never learnt from right" in text_of(app) and not app.exception


def test_the_learning_curve_job_shows_its_chart(use_teach_home):
    symbol_pool.clear()
    symbol_pool.set_classes(("+", "="))
    for name in ("+", "=") * 3:
        symbol_pool.add(symbols.draw(name, np.random.default_rng(len(name))), name)
    app = open_page(PAGE)
    app.slider(key="teach.seconds").set_value(2).run()
    app.button(key="teach.curve").click().run()
    job = runtime.job_manager().find("teach.curve")
    assert runtime.job_manager().wait(job, timeout=120) and job.error is None
    app.run()
    assert "what pretraining on 60,000 digits buys" in text_of(app) and not app.exception


def test_a_student_may_draw_examples_but_not_train(use_teach_home, student):
    symbol_pool.clear()
    app = open_page(PAGE)
    assert "the instructor chooses them" in text_of(app)
    for key in ("teach.train", "teach.curve", "teach.clear"):
        assert app.button(key=key).disabled, key
    assert not [b for b in app.button if b.key == "teach.fill"]
    app.session_state["teach.draw.canvas.0"] = drawn("+")
    app.run()
    assert app.button(key="teach.add.0").disabled  # until they opt in
    app.toggle(key="teach.share").set_value(True).run()
    app.button(key="teach.add.0").click().run()
    assert symbol_pool.read().labels.tolist() == [0]


def test_an_imported_pool_arrives_whole(use_teach_home):
    symbol_pool.clear()
    buffer = io.BytesIO()
    images, labels = symbols.examples(("circle", "star"), 3, seed=2)
    np.savez(buffer, images=(images * 255).astype(np.uint8), labels=labels,
             classes=np.array(["circle", "star"]))
    symbol_pool.import_npz(buffer.getvalue())
    app = open_page(PAGE)
    assert [tab.label for tab in app.tabs] == ["circle (3)", "star (3)"]
