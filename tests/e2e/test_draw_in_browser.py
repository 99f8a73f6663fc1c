"""The Draw page in a real browser: mouse strokes in, predictions out."""

from __future__ import annotations

import pytest

from tests.drawings import digit_canvas, png_bytes
from tests.e2e.browser import (
    clear_canvas,
    one_stroke,
    open_draw,
    predicted_digits,
    star_stroke,
    stroke,
    wait_idle,
    zero_stroke,
)

pytestmark = pytest.mark.e2e


def test_drawing_a_one_and_a_zero_gives_one_and_zero(tab, app_url):
    """Draw a 1, read it; clear; see the prompt; draw a 0, read it."""
    open_draw(tab, app_url)
    stroke(tab, one_stroke())
    assert predicted_digits(tab)[-1] == "1"
    clear_canvas(tab)
    tab.wait_for_selector("text=Draw a digit on the black canvas.")
    tab.wait_for_function("document.querySelectorAll('.nc-digit').length === 0")
    stroke(tab, zero_stroke())
    assert predicted_digits(tab)[-1] == "0"
    assert tab.get_by_text("Looks like a digit").count() == 2  # both networks: not flagged


def test_a_star_is_flagged_with_the_softmax_answer_beside_it(tab, app_url):
    open_draw(tab, app_url)
    stroke(tab, star_stroke())
    predicted_digits(tab)  # the softmax still names a digit
    tab.get_by_text("This does not look like a digit").first.wait_for(timeout=30_000)
    assert "the softmax alone" in tab.get_by_role("alert").first.inner_text()


def test_uploading_a_png_gives_a_prediction(tab, app_url, tmp_path):
    """Upload a dark-on-light PNG of a 7 and see both networks read it."""
    picture = tmp_path / "seven.png"
    picture.write_bytes(png_bytes((255 - digit_canvas(0)[..., :3]).copy()))
    open_draw(tab, app_url)
    tab.get_by_text("Upload", exact=True).click()
    wait_idle(tab)
    tab.locator("input[type=file]").set_input_files(str(picture))
    assert predicted_digits(tab) == ["7", "7"]


def test_home_shows_the_model_store(tab, app_url):
    """The home tab lists the trained models with their accuracy."""
    tab.goto(app_url)
    wait_idle(tab)
    tab.wait_for_selector("text=Model store")
    assert tab.get_by_text("Draw a digit").first.is_visible()
