"""The presenter's deck: which slide carries the lesson's mail room picture."""

from __future__ import annotations

from idemlab import backends
from idemlab.lessons import load, scenario_for
from ui.views import analogy_preview
from ui.views.presenter_deck import deck


def _deck_of(slug: str):
    lesson = load(slug)
    trace = backends.run(scenario_for(lesson), "sim")
    return trace, deck(lesson, trace)


def test_the_first_analogy_slide_carries_the_lessons_paused_mail_room():
    trace, slides = _deck_of("letters-get-lost")
    pictured = [slide for slide in slides if slide.picture]
    assert len(pictured) == 1
    assert pictured[0] is next(slide for slide in slides if slide.title.startswith("The analogy"))
    assert pictured[0].picture == "analogy"
    assert analogy_preview.pause_position(trace) > 0  # the picture stops before the answer, after a letter


def test_a_run_that_sends_no_letter_has_no_analogy_picture():
    trace, slides = _deck_of("switching-it-on")  # the producer is refused at creation
    assert analogy_preview.pause_position(trace) == 0
    assert not any(slide.picture for slide in slides)


def test_a_deck_without_a_run_has_no_picture():
    assert not any(slide.picture for slide in deck(load("letters-get-lost"), None))
