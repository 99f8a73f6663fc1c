"""The Draw page, driven through each input: canvas (via session state), upload, test sample."""

from __future__ import annotations

import re
import shutil

import numpy as np

from core import store
from core.data import non_digits
from tests.app.conftest import open_page, text_of
from tests.drawings import canvas_rgba, canvas_state, digit_canvas, png_bytes
from ui import runtime

CANVAS_KEY = "draw.canvas.0"


def predicted_digits(app) -> list[str]:
    return [match.group(1) for md in app.markdown
            if (match := re.search(r"class='nc-digit[^']*'>(\d)", md.value))]


def test_a_star_is_flagged_and_the_softmax_answer_stays_visible(draw_page):
    star = (non_digits.draw("star", np.random.default_rng(1)) * 255).astype(np.uint8)
    draw_page.session_state[CANVAS_KEY] = canvas_state(canvas_rgba(star))
    draw_page.run()
    assert not draw_page.exception
    flags = [md.value for md in draw_page.markdown if "class='nc-flag'" in md.value]
    assert len(flags) >= 1 and "This does not look like a digit." in flags[0]
    assert "the softmax alone" in flags[0]
    assert len(predicted_digits(draw_page)) == 2  # its claim is still shown, struck through
    assert "nc-doubt" in "".join(md.value for md in draw_page.markdown)


def test_a_digit_is_not_flagged(draw_page):
    draw_page.session_state[CANVAS_KEY] = canvas_state(digit_canvas(0))
    draw_page.run()
    answers = [md.value for md in draw_page.markdown if "nc-digit" in md.value]
    assert len(answers) == 2 and all("<div class='nc-note'><b>Looks like a digit:</b>" in a
                                     and "nc-flag" not in a for a in answers)


def test_an_empty_canvas_asks_for_a_digit_not_a_guess(draw_page):
    assert "Draw a digit on the black canvas." in text_of(draw_page)
    assert predicted_digits(draw_page) == []


def test_a_drawn_seven_is_read_by_both_networks(draw_page):
    draw_page.session_state[CANVAS_KEY] = canvas_state(digit_canvas(0))
    draw_page.run()
    assert not draw_page.exception
    assert predicted_digits(draw_page) == ["7", "7"]
    # Each network's panel is one element: its name, the answer, its saliency map, the bars.
    answers = [md.value for md in draw_page.markdown if "nc-digit" in md.value]
    assert len(answers) == 2 and all("class='nc-bar nc-top' title='7: " in a for a in answers)
    assert all("<figcaption>Saliency: pixels that moved" in a for a in answers)
    assert "<h3>" in answers[0] and "on the 10,000 MNIST test digits" in answers[0]
    pictures = [md.value for md in draw_page.markdown if "data:image/png;base64," in md.value]
    assert len(pictures) == 3 and "centred by mass" in pictures[0]


def test_a_dot_is_not_a_digit(draw_page):
    dot = np.zeros((280, 280, 4), np.uint8)
    dot[140:150, 140:150] = 255
    draw_page.session_state[CANVAS_KEY] = canvas_state(dot)
    draw_page.run()
    assert "only a dot" in text_of(draw_page) and predicted_digits(draw_page) == []


def test_clear_empties_the_canvas(draw_page):
    draw_page.session_state[CANVAS_KEY] = canvas_state(digit_canvas(0))
    draw_page.run()
    draw_page.button(key="draw.clear").click().run()
    assert draw_page.session_state["draw.clears"] == 1
    assert predicted_digits(draw_page) == []


def test_an_uploaded_picture_is_read(draw_page):
    draw_page.segmented_control(key="draw.source").set_value("Upload").run()
    paper = 255 - digit_canvas(1)[..., :3]  # dark ink on white paper, a "2"
    draw_page.file_uploader(key="draw.upload").set_value(
        ("two.png", png_bytes(np.ascontiguousarray(paper)), "image/png")).run()
    assert not draw_page.exception
    assert predicted_digits(draw_page) == ["2", "2"]


def test_a_broken_upload_gets_a_message(draw_page):
    draw_page.segmented_control(key="draw.source").set_value("Upload").run()
    draw_page.file_uploader(key="draw.upload").set_value(
        ("holiday.png", b"\x89PNG\r\n\x1a\n broken", "image/png")).run()
    assert not draw_page.exception
    assert "truncated or damaged" in text_of(draw_page) or "not a picture" in text_of(draw_page)


def test_a_test_sample_shows_its_true_label(draw_page):
    draw_page.segmented_control(key="draw.source").set_value("Test sample").run()
    first = draw_page.session_state["draw.sample_index"]
    assert "true label" in text_of(draw_page) and len(predicted_digits(draw_page)) == 2
    for _ in range(5):
        draw_page.button(key="draw.sample").click().run()
        if draw_page.session_state["draw.sample_index"] != first:
            break
    assert draw_page.session_state["draw.sample_index"] != first


def test_the_cnn_selector_offers_the_trained_cnns(draw_page):
    options = draw_page.selectbox(key="draw.cnn").options
    assert options == ["Most accurate available", "cnn_report"]
    draw_page.selectbox(key="draw.cnn").set_value("cnn_report").run()
    assert not draw_page.exception


def test_with_no_models_the_page_still_works_and_offers_to_train_them(nc_home):
    """Nothing trains here (first launch's training is off in tests, as after a lecturer
    stops it): each panel says so and offers its default model, which then trains."""
    app = open_page("views/draw.py")
    app.session_state[CANVAS_KEY] = canvas_state(digit_canvas(0))
    app.run()
    assert not app.exception
    assert "No MLP is trained yet" in text_of(app) and "No CNN is trained yet" in text_of(app)
    assert "Training…" not in text_of(app)
    place = canvas_place(app.main)
    next(b for b in app.button if b.label == "Train mlp_augmented").click().run()
    assert not app.exception
    # The training panel appeared above the canvas, which kept its place (moved, a component
    # is made anew in the browser, and shows an empty canvas beside the old answers).
    assert "The first models are training" in text_of(app)
    assert canvas_place(app.main) == place
    assert [job.key for job in runtime.training_jobs(runtime.job_manager())] == [
        "train:mnist:mlp_augmented:full"]
    assert text_of(app).count("Training… this panel fills in") == 1  # the MLP's panel
    assert "No CNN is trained yet" in text_of(app)


def canvas_place(node, path: tuple[int, ...] = ()) -> tuple[int, ...] | None:
    """Where the canvas component sits in the page's tree of elements."""
    for index, child in enumerate(getattr(node, "children", {}).values()):
        if child.type == "bidi_component":
            return (*path, index)
        if (found := canvas_place(child, (*path, index))) is not None:
            return found
    return None


def test_a_corrupt_model_is_explained_and_moved_aside(nc_home, trained_home):
    models = nc_home / "models" / "mnist"
    shutil.copytree(trained_home / "models" / "mnist", models)
    card = store.read_card("mlp", "mnist")
    (models / card.file).write_bytes(b"garbage")
    app = open_page("views/draw.py")
    assert "quarantine" in text_of(app)
    assert store.read_card("mlp", "mnist") is None
    assert store.read_card("cnn_report", "mnist") is not None
