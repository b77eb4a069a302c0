"""What a lesson's "After the run" quotes from the page is what the page shows for that
lesson's run: the mail room's line (lesson 9), the outcome line (lesson 5), the delivery
reports (lesson 6)."""

from __future__ import annotations

import re

from idemlab import backends, lessons, replay, words
from idemlab.outcome import summarize
from ui.components.mailroom import plan


def _lesson(number: int):
    lesson = next(lesson for lesson in lessons.load_all() if lesson.number == number)
    return lesson, backends.run(lessons.scenario_for(lesson), "sim")


def _after(lesson) -> str:
    return " ".join(lesson.section("After the run").split())


def test_lesson_9_quotes_a_line_the_mail_room_shows_for_its_run():
    lesson, trace = _lesson(9)
    quoted = re.search(r'reads "(\d+ requests unanswered: [^"]+)"', _after(lesson)).group(1)
    assert quoted in plan.together(replay.replay(trace)).values()


def test_lesson_5_quotes_the_outcome_line_of_its_run():
    lesson, trace = _lesson(5)
    quoted = re.search(r'says so: "([^"]+)"', _after(lesson)).group(1)
    sentence = summarize(trace).sentence()
    assert quoted in sentence and "0 retry duplicates" in sentence


def test_lesson_6_names_every_report_its_run_gives_m3_and_m4():
    lesson, trace = _lesson(6)
    text = _after(lesson)
    reports = {d.value: d for d in trace.deliveries}
    for value in ("m3", "m4"):
        report = reports[value]
        if report.error:
            assert report.error in text or "purged" in text, (value, report)
        elif report.offset is None or report.offset < 0:
            assert "acknowledged implicitly by a later answer" in text
            assert "acknowledged implicitly by a later answer" in words.offset_words(report.offset)
        else:
            assert "delivered at its original offset" in text
