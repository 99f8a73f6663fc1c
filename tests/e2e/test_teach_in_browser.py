"""Teaching new symbols in a lecture hall: the instructor names three classes, the instructor
and two students draw examples of each with the mouse, the instructor trains (transfer and
from scratch side by side), and a new drawing is read in the new classes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core import settings
from core.data import symbol_pool
from tests.conftest import as_home
from tests.e2e.browser import (
    CANVAS,
    SYMBOLS,
    running_app,
    sign_in_as_instructor,
    stroke,
    wait_idle,
)

pytestmark = pytest.mark.e2e
CODE = "TEACH-CODE"


@pytest.fixture(scope="module")
def hall_url(teach_home):
    with running_app({settings.HOME_ENV: str(teach_home), settings.AUTOTRAIN_ENV: "0",
                      settings.TRUST_LOCAL_ENV: "0", settings.INSTRUCTOR_CODE_ENV: CODE}) as url:
        yield url


# How many examples a class's tab counts ("− (2)").
EXAMPLES = ("name => { const tab = [...document.querySelectorAll('[role=tab]')].find("
            "t => t.innerText.trim().startsWith(name + ' (')); "
            "return tab ? parseInt(tab.innerText.trim().slice(name.length + 2)) : -1; }")


def add_example(page, name: str) -> None:
    """Draw `name` and press its class button once: the page takes the drawing (a fresh canvas
    replaces it) and counts one example of that class more.

    The buttons wait disabled on a fresh canvas until the page has a drawing, and a symbol is
    one stroke, so a button enabled means the page has the whole symbol. A stroke the page
    never gets (bench.teach_hall has seen one drawing in thirty, ten browsers on one core)
    leaves them disabled: it is drawn again, over itself, as a person would; a second loss
    fails."""
    button = page.get_by_role("button", name=name, exact=True)
    for attempt in range(2):
        stroke(page, SYMBOLS[name])
        try:
            expect(button).to_be_enabled(timeout=30_000)
            break
        except AssertionError:
            if attempt:
                raise
    before = page.evaluate(EXAMPLES, name)
    canvas = page.locator(CANVAS).first.element_handle()
    button.click()
    page.wait_for_function("canvas => !canvas.isConnected", arg=canvas, timeout=30_000)
    page.wait_for_function(f"name => ({EXAMPLES})(name) > {before}", arg=name,
                           timeout=30_000)
    wait_idle(page)


NAMES = "2 to 10 class names, separated by commas"


def name_classes(page) -> None:
    """Choose "My own", type the names and press "Use these classes" until the tabs are
    exactly the three symbols: a click that lands while the page reruns from the typed names
    can be lost."""
    for _ in range(3):
        page.get_by_role("combobox", name="Preset").click()
        page.get_by_role("option", name="My own").click()
        wait_idle(page)
        names = page.get_by_label(NAMES, exact=True)
        names.fill(", ".join(SYMBOLS))
        names.press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="Use these classes").click()
        try:
            expect(page.get_by_role("tab")).to_have_text([f"{name} (0)" for name in SYMBOLS],
                                                        timeout=20_000)
        except AssertionError:
            continue
        wait_idle(page)
        return
    raise AssertionError(f"the classes were not set to {list(SYMBOLS)}")


def test_a_class_teaches_three_symbols_and_the_network_reads_a_new_one(chromium, hall_url,
                                                                       teach_home):
    contexts = [chromium.new_context(viewport={"width": 1500, "height": 1300})
                for _ in range(3)]
    teacher, *students = [context.new_page() for context in contexts]
    with as_home(teach_home):
        symbol_pool.clear()  # other tests may have left examples
    try:
        teacher.goto(f"{hall_url}/teach")
        wait_idle(teacher)
        assert teacher.get_by_role("button", name="Train both").is_disabled()
        sign_in_as_instructor(teacher, CODE)
        name_classes(teacher)

        for page in students:
            page.goto(f"{hall_url}/teach")
            wait_idle(page)
            assert page.get_by_text("the instructor chooses them").is_visible()
            assert page.get_by_role("button", name="Train both").is_disabled()
            page.get_by_text("Send my drawings to the class's examples").click()
            expect(page.get_by_role("switch", name="Send my drawings")).to_be_checked()
            wait_idle(page)
        for name in SYMBOLS:  # a person's sends are two others' apart: over one a second
            for page in (teacher, *students):
                add_example(page, name)
        with as_home(teach_home):
            assert symbol_pool.read().counts() == [3, 3, 3]

        # The least training the page offers (2 s each way, not 10): enough to read a symbol.
        teacher.get_by_role("slider", name="Seconds of training, each way").focus()
        teacher.keyboard.press("Home")
        wait_idle(teacher)
        assert teacher.locator("[data-testid=stSlider]", has_text="Seconds of training").locator(
            "[data-testid=stSliderThumbValue]").inner_text() == "2"
        teacher.get_by_role("button", name="Train both").click()
        teacher.get_by_text("held-out drawings, after learning").first.wait_for(timeout=180_000)
        # A student's idle page notices the instructor's training by itself (it polls slowly).
        students[0].get_by_text("held-out drawings, after learning").first.wait_for(
            timeout=30_000)
        teacher.get_by_text(f"Draw one of: {', '.join(SYMBOLS)}").wait_for(timeout=180_000)
        teacher.get_by_text("4. Keep it").wait_for(timeout=180_000)  # detectors fitted too
        wait_idle(teacher)
        stroke(teacher, SYMBOLS["×"], 1)
        teacher.wait_for_selector(".nc-digit", timeout=60_000)
        wait_idle(teacher)
        assert teacher.locator(".nc-digit").first.inner_text() in SYMBOLS
        for page in (teacher, *students):
            assert page.locator("[data-testid=stException]").count() == 0
    finally:
        for context in contexts:
            context.close()
