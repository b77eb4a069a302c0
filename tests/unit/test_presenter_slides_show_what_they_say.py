"""The presenter's slides show what their words speak of: a moment's title reads whole, the
after-the-run diagram stops at the lesson's key moment (not the run's tail) with the requests
in flight together in view, and a reveal marks the answer among the options, with its reason
in a line."""

from __future__ import annotations

import pytest

from idemlab import backends
from idemlab.lessons import load_all, scenario_for
from ui.views import presenter_deck, sequence_marks
from ui.views.presenter_deck import SLIDE_WORDS, revealed, words

LESSONS = {lesson.number: lesson for lesson in load_all()}


@pytest.fixture(scope="module")
def decks():
    out = {}
    for number, lesson in LESSONS.items():
        trace = backends.run(scenario_for(lesson), "sim")
        out[number] = (trace, presenter_deck.deck(lesson, trace))
    return out


def _after(deck):
    return next(slide for slide in deck if slide.kind == "after")


def _diagram_rows(trace, slide) -> list[str]:
    window = sequence_marks.window(trace, slide.position, slide.window or presenter_deck.AFTER_WINDOW)
    return [mark.text for mark in window.marks]


def test_no_moment_title_is_cut_short(decks):
    for number, (_trace, deck) in decks.items():
        for slide in deck:
            if slide.kind == "moment":
                assert not slide.title.endswith("…"), (number, slide.title)


def test_a_long_moment_title_stops_at_its_colon():
    text = "The broker refuses m7, m8, m9, m10 and m11 with OUT_OF_ORDER_SEQUENCE_NUMBER and stores nothing: " + (
        "it expected seq 1 next from PID 0, epoch 0 (its notebook's last batch ends at seq 0) and got seq 6."
    )
    title = presenter_deck.headline(text)
    assert title == "The broker refuses m7, m8, m9, m10 and m11 with OUT_OF_ORDER_SEQUENCE_NUMBER and stores nothing"


def test_lesson_8s_after_the_run_diagram_shows_m2_stored_twice_without_a_producer_id(decks):
    trace, deck = decks[8]
    slide = _after(deck)
    rows = _diagram_rows(trace, slide)
    assert slide.moment == "duplicate_stored" and slide.position < len(trace.events)
    assert "#3 Produce [m2] no PID (retry)" in rows and "stored at offset 2" in rows


def test_lesson_9s_after_the_run_diagram_shows_the_two_later_envelopes_refused(decks):
    trace, deck = decks[9]
    rows = _diagram_rows(trace, _after(deck))
    assert sum(row.startswith("rejected: OUT_OF_ORDER_SEQUENCE_NUMBER") for row in rows) == 2
    assert any(row.startswith("#4 Produce [m12") for row in rows)


def test_lesson_9s_after_the_run_diagram_draws_the_three_requests_on_the_wire_together(decks):
    trace, deck = decks[9]
    rows = _diagram_rows(trace, _after(deck))
    requests = [row.split(" [")[0] for row in rows if " Produce [" in row]
    assert requests == ["#2 Produce", "#3 Produce", "#4 Produce"], rows


def test_an_after_the_run_diagram_grows_only_to_keep_requests_in_flight_together(decks):
    for number, (_trace, deck) in decks.items():
        window = _after(deck).window
        assert window == 0 or presenter_deck.AFTER_WINDOW <= window <= presenter_deck.AFTER_WINDOW + 3, number
    assert _after(decks[8][1]).window == presenter_deck.AFTER_WINDOW  # nothing in flight together there


def test_lesson_10s_after_the_run_diagram_shows_m2_retried_before_m3(decks):
    trace, deck = decks[10]
    rows = _diagram_rows(trace, _after(deck))
    m2 = next(i for i, row in enumerate(rows) if row.startswith("#4 Produce [m2]") and "epoch 0" in row)
    m3 = next(i for i, row in enumerate(rows) if row.startswith("#5 Produce [m3]") and "epoch 0" in row)
    assert m2 < m3


def test_a_run_without_key_moments_shows_its_end_after_the_run(decks):
    trace, deck = decks[7]  # the cost lesson's run: the registration is its only key moment
    assert _after(deck).position is None and _after(deck).moment == ""
    assert trace.events


def test_every_reveal_gives_its_reason_in_a_line_and_adds_few_words_to_the_options(decks):
    for number, (_trace, deck) in decks.items():
        for slide in deck:
            if slide.kind == "reveal":
                assert slide.why and "\n" not in slide.why, (number, slide.title)
                added = words(revealed(slide)) - words(presenter_deck.options_markdown(slide.choices))
                assert added <= SLIDE_WORDS, (number, slide.title, added)  # the options the room has just read


def test_an_answered_reveal_shows_every_option_and_marks_the_right_one_by_shape_and_word(decks):
    for number, (_trace, deck) in decks.items():
        for slide in deck:
            if slide.kind != "reveal":
                continue
            lines = revealed(slide).split("\n\n")[1].splitlines()
            assert len(lines) == len(slide.choices), (number, slide.title)
            marked = [i for i, line in enumerate(lines) if "✓" in line and "answer" in line and line.startswith("- **")]
            assert marked == [slide.answer], (number, slide.title, lines)
            assert all(choice in line for choice, line in zip(slide.choices, lines, strict=True))
