"""The animated mail room's plan (ui/components/mailroom/plan.py), for every lesson's run on
the simulated broker: every letter travels from the sender and either reaches the post
office, stops at its door, is lost or leaves the post; Play reaches the first letter
within 2 s and plays the whole lesson within 20 s at normal speed; one press of Next is
condensed to at most 1.5 s.  These are figures of the plan, not of a clock."""

from __future__ import annotations

import pytest

from idemlab import backends, replay
from idemlab import lessons as lesson_module
from idemlab.lessons import load_all
from ui.components.mailroom import plan

LESSONS = load_all()


def document_of(lesson) -> dict:
    return replay.replay(backends.run(lesson_module.scenario_for(lesson), "sim"))


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson-{lesson.number}")
def test_a_lesson_run_plays_within_20_seconds_and_reaches_its_first_letter_within_2(lesson):
    doc = document_of(lesson)
    assert plan.play_ms(doc) <= 20_000
    first = plan.first_letter_ms(doc)
    assert first is None or first <= 2_000
    assert plan.NEXT_MS <= 1_500


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: f"lesson-{lesson.number}")
def test_every_envelope_moves_forward_in_time_and_ends_somewhere(lesson):
    doc = document_of(lesson)
    for trip in plan.trips(doc):
        assert trip["s"] < trip["a"] <= len(doc["events"]) + 1, trip
        assert trip["fate"] in ("in", "door", "lost", "gone"), trip
        back = trip["back"]
        if back is not None:
            assert trip["a"] <= back["s"] < back["a"], trip
            assert back["fate"] in ("in", "lost", "gone") and back["label"], trip


def test_lesson_2_the_lost_receipt_fades_and_the_resent_letter_is_caught_as_a_copy():
    doc = document_of(next(lesson for lesson in LESSONS if lesson.number == 2))
    letters = [t for t in plan.trips(doc) if t["kind"] == "letter"]
    assert [t["what"] for t in letters] == ["m1", "m2", "m2", "m3"]
    assert letters[1]["back"]["fate"] == "lost"
    assert letters[2]["retry"] and letters[2]["back"]["dup"] and letters[2]["back"]["label"] == "@1"
    inits = [t for t in plan.trips(doc) if t["kind"] == "init"]
    assert inits and inits[-1]["back"]["label"].startswith("PID ")
