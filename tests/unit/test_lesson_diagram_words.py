"""What a lesson's "After the run" says about the sequence diagram is true of the diagram
the page draws at the end of the run (ui/views/sequence_marks.py folds a long run): every
row it quotes is drawn, not folded away."""

from __future__ import annotations

import re

import pytest

from idemlab import backends, lessons
from ui.views import sequence_marks as sm

LESSONS = [lesson for lesson in lessons.load_all() if lesson.section("After the run")]


def drawn_rows(lesson) -> list[str]:
    trace = backends.run(lessons.scenario_for(lesson), "sim")
    return [mark.text for mark in sm.window(trace).marks]


def pieces_about_the_diagram(lesson) -> list[str]:
    """The paragraphs and list items of "After the run" that speak of the sequence diagram."""
    text = lesson.section("After the run")
    pieces = re.split(r"\n(?=- )|\n\s*\n", text)
    return [" ".join(piece.split()) for piece in pieces if "sequence diagram" in " ".join(piece.split())]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson-{lesson.number}")
def test_every_row_the_text_quotes_from_the_diagram_is_drawn(lesson):
    rows = " | ".join(drawn_rows(lesson))
    for piece in pieces_about_the_diagram(lesson):
        for quoted in re.findall(r"`([^`]+)`", piece):
            assert quoted in rows, (lesson.number, quoted, rows)


def test_lesson_8_names_only_rows_the_page_shows():
    lesson = next(lesson for lesson in LESSONS if lesson.number == 8)
    rows = drawn_rows(lesson)
    requests = [row for row in rows if re.match(r"#\d+ ", row)]
    assert requests[0] == "#1 Produce [m1] no PID"
    assert all(row.endswith(("no PID", "no PID (retry)")) for row in requests), requests
    (piece,) = pieces_about_the_diagram(lesson)
    assert "`#1 Produce [m1] no PID`" in piece and "InitProducerId" not in piece


def test_lesson_9s_claim_of_three_requests_on_the_wire_before_the_first_answer_is_drawn():
    lesson = next(lesson for lesson in LESSONS if lesson.number == 9)
    (piece,) = pieces_about_the_diagram(lesson)
    assert "three requests are on the wire at once before the first answer" in piece
    rows = drawn_rows(lesson)
    first_answer = next(i for i, row in enumerate(rows) if row.startswith(("reply #", "ack #")))
    assert len([row for row in rows[:first_answer] if re.match(r"#\d+ Produce", row)]) == 3
