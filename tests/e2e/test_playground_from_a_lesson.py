"""In Chromium: lesson 8's "Try it in the playground" link opens the playground on the
lesson's own run — the same stored log (the Java client's quiet switch-off stores m2
twice), with no notice about the link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from idemlab.lessons import load_all
from tests.e2e.test_journeys import choose

pytestmark = pytest.mark.timeout(300)

LESSON_8 = next(lesson for lesson in load_all() if lesson.number == 8)


def stored_log_text(page) -> str:
    table = page.locator("table", has=page.locator("caption", has_text="The stored log, one row per record"))
    expect(table).to_have_count(1)
    return table.inner_text()


def test_lesson_8s_playground_link_shows_the_lessons_stored_log(open_url, wait_run):
    page = open_url(f"lesson-{LESSON_8.slug}")
    choose(page, wait_run, "Your prediction", LESSON_8.prediction.answer)
    page.get_by_role("button", name="Run the experiment").click()
    wait_run(page)
    in_the_lesson = stored_log_text(page)
    assert "DUPLICATE" in in_the_lesson

    page.get_by_role("link", name="Try it in the playground").click()
    page.wait_for_url("**/playground?**")
    wait_run(page)
    assert "scenario=seed-java-acks-1" in page.url
    expect(page.locator("h1").first).to_have_text("Playground")
    expect(page.get_by_text("could not be created")).to_have_count(0)
    assert stored_log_text(page) == in_the_lesson
