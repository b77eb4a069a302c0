"""The Java lessons in Chromium: lesson 8 (the seed's producer) from its URL to done, and
every Java lesson's page, run and answered, shows no markup as text."""

from __future__ import annotations

import pytest

from idemlab.lessons import load_all
from tests.e2e.test_journeys import lesson_journey
from tests.e2e.test_visible_text import READ_TEXT, problems_in

pytestmark = pytest.mark.timeout(300)

JAVA_LESSONS = [lesson for lesson in load_all() if lesson.number >= 8]


def test_lesson_8_from_its_url_to_done(open_url, wait_run, screenshots):
    lesson_journey(8, open_url, wait_run, screenshots)


@pytest.mark.parametrize("lesson", JAVA_LESSONS, ids=lambda lesson: lesson.slug)
def test_a_java_lesson_run_and_answered_shows_no_markup_as_text(lesson, open_url):
    answers = ",".join(
        [f"{lesson.number}.p.{lesson.prediction.answer}"]
        + [f"{lesson.number}.c{i}.{check.answer}" for i, check in enumerate(lesson.checks)]
    )
    page = open_url(f"lesson-{lesson.slug}?ans={answers}")
    shown = page.evaluate(READ_TEXT)
    assert "Right." in shown["all"] and "After the run" in shown["all"], shown["all"][:500]
    assert "Java" in shown["all"]
    assert problems_in(shown) == []
