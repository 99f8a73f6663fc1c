"""A class in front of one server: five student browsers draw and get answers while the
instructor's job trains, see it read-only, and send a drawing to the class; the instructor
(by code: here every browser is on loopback) starts and stops it."""

from __future__ import annotations

import pytest

from core import settings
from tests.e2e.browser import (
    one_stroke,
    predicted_digits,
    running_app,
    sign_in_as_instructor,
    stop_job,
    stroke,
    wait_idle,
)

pytestmark = pytest.mark.e2e
CODE = "TEST-CODE"
STUDENTS = 5


@pytest.fixture(scope="module")
def class_url(trained_home):
    with running_app({settings.HOME_ENV: str(trained_home), settings.AUTOTRAIN_ENV: "0",
                      settings.TRUST_LOCAL_ENV: "0", settings.INSTRUCTOR_CODE_ENV: CODE}) as url:
        yield url


def test_students_draw_and_watch_while_the_instructor_trains(chromium, class_url):
    contexts = [chromium.new_context(viewport={"width": 1400, "height": 1000})
                for _ in range(STUDENTS + 1)]
    teacher, *students = [context.new_page() for context in contexts]
    try:
        teacher.goto(f"{class_url}/lab")
        wait_idle(teacher)
        assert teacher.get_by_role("button", name="Train", exact=True).is_disabled()
        sign_in_as_instructor(teacher, CODE)  # for this session: a reload asks again
        teacher.get_by_role("button", name="Train", exact=True).click()
        teacher.get_by_role("button", name="Stop").wait_for(timeout=60_000)

        for page in students:  # every session connected at once, then each draws
            page.goto(f"{class_url}/draw")
        for page in students:
            wait_idle(page)
            assert page.get_by_text("Student view").is_visible()
            stroke(page, one_stroke())
        for page in students:
            assert predicted_digits(page) == ["1", "1"]

        first = students[0]
        first.get_by_text("Share my drawings with the class").click()
        wait_idle(first)
        first.get_by_role("button", name="Send").click()
        first.get_by_text("Sent. The class has").wait_for(timeout=30_000)

        for page in students:
            page.goto(f"{class_url}/lab")
        for page in students:
            wait_idle(page)
            page.get_by_role("button", name="Stop").wait_for(timeout=60_000)
            assert page.get_by_role("button", name="Stop").is_disabled()
            assert page.get_by_role("button", name="Train", exact=True).is_disabled()

        stop_job(teacher)
        teacher.get_by_text("stopped early").wait_for(timeout=120_000)
        teacher.goto(f"{class_url}/classroom")
        teacher.get_by_text("drawings from the class").wait_for(timeout=60_000)
        for page in (teacher, *students):
            assert page.locator("[data-testid=stException]").count() == 0
    finally:
        for context in contexts:
            context.close()
